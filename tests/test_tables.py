from __future__ import annotations

import pandas as pd

from aicompute import tables


def test_markdown_and_html_escape() -> None:
    df = pd.DataFrame({"name": ["a|b", "<script>x</script>"], "value": [1234567.0, 0.0123456]})
    md = tables.to_markdown(df)
    assert md.splitlines() == [
        "| name | value |",
        "|---|---|",
        "| a\\|b | 1,234,567 |",
        "| <script>x</script> | 0.0123 |",
    ]
    html = tables.to_html(df, caption="T & U")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<caption>T &amp; U</caption>" in html


def test_fmt_num() -> None:
    assert [tables.fmt_num(x) for x in (0, 3.14159, 22.4, 1400.0, None, float("nan"), "x")] == [
        "0",
        "3.14",
        "22.4",
        "1,400",
        "",
        "",
        "x",
    ]
