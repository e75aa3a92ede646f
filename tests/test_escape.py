"""aicompute.escape: one function per target, each checked by hand, then against the real readers
(pandoc for markdown and BibTeX, typst for Typst) where Quarto brings them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from aicompute import escape
from conftest import quarto_tool

#: Text a hostile or careless data row or command line could carry: script, markup of every target,
#: comment markers, Quarto shortcodes, maths, citations and cross-references, Typst calls.
PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=1</script>",
    "*bold* _it_ **strong** [link](javascript:alert(1)) [@src_a] @fig-x ^[note]",
    "<!-- never closed",
    "--> -- --- ...",
    "`tick` ``two`` $x^2$ $5 to $6",
    "# heading? #sys.exit() = not a heading // nor /* a comment */ <label>",
    "{{< meta title >}} \\emph{x} & &lt; 50% a_b ~ ^ | pipe",
    "1. not a list",
]


# ----------------------------------------------------------------------------- hand-checked outputs
def test_html() -> None:
    assert escape.html('<img src=x onerror="a(1)">') == "&lt;img src=x onerror=&quot;a(1)&quot;&gt;"
    assert escape.html("Tom's & <!--") == "Tom&#x27;s &amp; &lt;!--"
    assert escape.html(None) == "" and escape.html(12.5) == "12.5"


def test_md() -> None:
    assert escape.md("see [@id] <b>") == r"see \[\@id\] \<b\>"
    assert escape.md("*x* <!-- $5 #1") == r"\*x\* \<\!\-\- \$5 \#1"
    assert escape.md("a|b `c`") == r"a\|b \`c\`"  # a table cell cannot be split, nor a code span opened
    assert escape.md("one\n\ntwo\tthree ") == "one two three"  # one line: a blank line would end a list item
    assert escape.md("Nvidia 4") == "Nvidia 4"  # letters, digits, spaces and non-ASCII text are left alone
    assert escape.md("半导体 – ok") == "半导体 – ok"


def test_md_code() -> None:
    assert escape.md_code("report/params/bear.yaml") == "`report/params/bear.yaml`"
    assert escape.md_code("a`b") == "``a`b``"  # the fence is longer than any backtick run inside
    assert escape.md_code("x ``y`` z") == "```x ``y`` z```"
    assert escape.md_code("`edge`") == "`` `edge` ``"  # padded: a backtick next to the fence would join it
    assert escape.md_code("two\nlines") == "`two lines`"


def test_typst() -> None:
    assert escape.typst("#sys.exit() *x* $y$") == r"\#sys\.exit\(\) \*x\* \$y\$"
    assert escape.typst("<lab> @ref // c") == r"\<lab\> \@ref \/\/ c"
    assert escape.typst("= h\n+ l") == r"\= h \+ l"


def test_bibtex() -> None:
    assert escape.bibtex("Capex & margins: 100% of $5B in #1_fund {x}") == \
        r"Capex \& margins: 100\% of \$5B in \#1\_fund \{x\}"
    assert escape.bibtex("a--b - c `q` <i>") == r"a-{}-b - c \`{}q\`{} \textless{}i\textgreater{}"
    assert escape.bibtex("back\\slash ~ ^") == r"back\textbackslash{}slash \textasciitilde{} \textasciicircum{}"
    assert escape.bibtex("line one\nline two") == "line one line two"


def test_url() -> None:
    assert escape.url("https://example.com/b_c%20d?x=1&y=2#top") == "https://example.com/b_c%20d?x=1&y=2#top"
    assert escape.url(' https://e.com/{a}"<b>`\\ ') == "https://e.com/%7Ba%7D%22%3Cb%3E%60%5C"
    for bad in ("javascript:window.__xss=1", "data:text/html,<script>", "vbscript:x", "//e.com", "e.com", ""):
        assert escape.url(bad) == "", bad
    assert escape.url("mailto:a@b.org") == "mailto:a@b.org"


# ----------------------------------------------------------------------------- against the real readers
def _pandoc(text: str, *args: str) -> str:
    return subprocess.run([*quarto_tool("pandoc"), *args], input=text, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_is_literal_in_html_plain_and_typst(payload: str) -> None:
    doc = f"before {escape.md(payload)} after\n\n| a | b |\n|---|---|\n| {escape.md(payload)} | x |\n\n" \
          f"- {escape.md(payload)}\n\nand code {escape.md_code(payload)}\n"
    native = _pandoc(doc, "-f", "markdown", "-t", "native")
    for markup in ("Cite", "Emph", "Strong", "RawInline", "RawBlock", "Math", "Note", "Header", "OrderedList",
                   "Link", "Quoted"):
        assert markup not in native, (markup, payload)
    plain = _pandoc(doc, "-f", "markdown", "-t", "plain", "--wrap=none")
    assert plain.count(payload) == 4, plain
    html = _pandoc(doc, "-f", "markdown", "-t", "html")
    assert "<img" not in html and "<script" not in html and "<!--" not in html


def test_md_through_typst_prints_the_text(tmp_path: Path) -> None:
    """Markdown -> Typst (what Quarto does for the PDF) -> PDF: every payload compiles and prints as written."""
    doc = "\n\n".join(f"- {escape.md(p)}\n- {escape.md_code(p)}" for p in PAYLOADS)
    (tmp_path / "t.typ").write_text(_pandoc(doc, "-f", "markdown", "-t", "typst"), encoding="utf-8")
    _compile_and_check(tmp_path / "t.typ", 2)


def _compile_and_check(source: Path, times: int) -> None:
    pdf = source.with_suffix(".pdf")
    subprocess.run([*quarto_tool("typst"), "compile", str(source), str(pdf)], check=True, capture_output=True)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        # pandoc's Typst writer leaves "..." bare and Typst prints it as an ellipsis: the one character that changes
        squeezed = "".join(text.split()).replace("\u2026", "...")
        for p in PAYLOADS:
            assert squeezed.count("".join(p.split())) == times, (p, text)


def test_typst_and_bibtex_round_trip(tmp_path: Path) -> None:
    body = "\n\n".join(f"#block[{escape.typst(p)}]" for p in PAYLOADS)
    (tmp_path / "t.typ").write_text(body, encoding="utf-8")
    _compile_and_check(tmp_path / "t.typ", 1)
    bib = "".join(f"@online{{k{i},\n  title = {{{{{escape.bibtex(p)}}}}},\n  year = {{2026}}\n}}\n"
                  for i, p in enumerate(PAYLOADS))
    (tmp_path / "r.bib").write_text(bib, encoding="utf-8")
    import json

    items = json.loads(_pandoc("", str(tmp_path / "r.bib"), "-f", "bibtex", "-t", "csljson"))
    assert [item["title"] for item in sorted(items, key=lambda i: int(i["id"][1:]))] == PAYLOADS
