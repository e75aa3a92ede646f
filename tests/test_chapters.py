"""The chapter registry (report/chapters.yml): one list, checked, and everything generated from it up to date."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aicompute import chapters
from aicompute.chapters import RegistryError, parse
from aicompute.pipeline import registry

ROOT = Path(__file__).resolve().parents[1]
REG = chapters.load(ROOT)

ENTRY = "  - file: {file}\n    number: '{number}'\n    name: {name}\n    title: T {name}\n"


def _yaml(*entries: dict, appendices: tuple[dict, ...] = ()) -> str:
    def one(e: dict) -> str:
        text = ENTRY.format(**e)
        if e.get("reads"):
            text += f"    reads: {json.dumps(e['reads'])}\n"
        return text

    out = "chapters:\n" + "".join(one(e) for e in entries)
    return out + ("appendices:\n" + "".join(one(e) for e in appendices) if appendices else "")


def test_every_notebook_is_registered_once_with_its_heading_and_section_id() -> None:
    on_disk = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [c.file for c in REG] == on_disk
    for ch in REG:
        assert chapters.heading(ROOT / "notebooks" / ch.file) == (ch.title, ch.section), ch.file
        assert ch.section == f"sec-{ch.name}"
    assert [c.number for c in REG.chapters] == [str(i + 1) for i in range(len(REG.chapters))]
    assert [c.number for c in REG.appendices] == [chr(ord("A") + i) for i in range(len(REG.appendices))]


def test_generated_lists_are_up_to_date() -> None:
    """`make chapters` rewrites them; run it after editing report/chapters.yml."""
    assert registry.stale(ROOT) == [], "run `make chapters`"


def test_generated_lists_follow_a_registry_edit(tmp_path: Path) -> None:
    for rel in [*registry.GENERATED, registry.PACKAGE, str(chapters.REGISTRY_FILE)]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)
    reg_file = tmp_path / chapters.REGISTRY_FILE
    reg_file.write_text(reg_file.read_text().replace("title: Data dictionary", "title: Every field")
                        .replace("ledger: scenarios", "ledger: outlook"))
    assert registry.stale(tmp_path) == ["report/index.qmd", "data/datapackage.json"]
    assert registry.write(tmp_path) == ["report/index.qmd", "data/datapackage.json"]
    assert registry.stale(tmp_path) == []
    assert "C, Every field" in (tmp_path / "report" / "index.qmd").read_text()
    pkg = json.loads((tmp_path / registry.PACKAGE).read_text())
    enums = [f["constraints"]["enum"] for r in pkg["resources"] for f in r["schema"]["fields"]
             if f["name"] == "chapter" and "enum" in f.get("constraints", {})]
    assert enums and all(e[-1] == "outlook" for e in enums)


def test_a_missing_marker_is_named(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("no markers\n")
    with pytest.raises(RegistryError, match=r"README.md: expected one block between '<!-- generated: chapters"):
        registry._replace_block("no markers\n", "README.md", ("<!-- ", " -->"), lambda indent: [])


def test_build_order_runs_readers_after_what_they_read() -> None:
    position = {s: i for i, wave in enumerate(REG.waves()) for s in wave}
    assert sorted(position) == sorted(REG.stems())
    for ch in REG:
        assert all(position[r] < position[ch.stem] for r in ch.reads), ch.stem


def test_waves_and_upstream_on_a_small_registry() -> None:
    reg = parse(_yaml({"file": "00_a.ipynb", "number": 1, "name": "a", "reads": ["02_c"]},
                      {"file": "01_b.ipynb", "number": 2, "name": "b"},
                      {"file": "02_c.ipynb", "number": 3, "name": "c", "reads": ["01_b"]}))
    assert reg.waves() == [["01_b"], ["02_c"], ["00_a"]]
    assert reg.upstream("00_a") == {"01_b", "02_c"}
    with pytest.raises(RegistryError, match=r"02_c reads \['01_b'\], which this build does not run"):
        reg.waves(["02_c"])


def test_one_chapter_keeps_it_and_what_it_reads_in_book_order() -> None:
    """``build --chapter``: 00_a reads 02_c, which reads 01_b; 03_d reads nothing and reads no one's."""
    from aicompute.pipeline.build import BuildError, one_chapter

    reg = parse(_yaml({"file": "00_a.ipynb", "number": 1, "name": "a", "reads": ["02_c"]},
                      {"file": "01_b.ipynb", "number": 2, "name": "b"},
                      {"file": "02_c.ipynb", "number": 3, "name": "c", "reads": ["01_b"]},
                      {"file": "03_d.ipynb", "number": 4, "name": "d"}))
    books = [Path(f"nb/{s}.ipynb") for s in reg.stems()]
    assert [p.stem for p in one_chapter(reg, books, "00_a")] == ["00_a", "01_b", "02_c"]
    assert [p.stem for p in one_chapter(reg, books, "02_c")] == ["01_b", "02_c"]
    assert [p.stem for p in one_chapter(reg, books, "03_d.ipynb")] == ["03_d"]  # the file name works too
    with pytest.raises(BuildError, match=r"^--chapter: no chapter '04_e' in .*\['00_a', '01_b', '02_c', '03_d'\]"):
        one_chapter(reg, books, "04_e")


@pytest.mark.parametrize("text, message", [
    ("chapters: 3\n", "expected a 'chapters' list"),
    ("chapters: []\nparts: []\n", r"unknown top-level key\(s\) \['parts'\]"),
    (_yaml({"file": "00_a.ipynb", "number": 1, "name": "a"}).replace("title: T a\n", ""), r"chapters\[0\]: 'title' is required"),
    (_yaml({"file": "0_a.ipynb", "number": 1, "name": "a"}), r"file '0_a.ipynb': expected NN_topic.ipynb"),
    (_yaml({"file": "00_a.ipynb", "number": 1, "name": "Chip_Strategy"}), r"name 'Chip_Strategy': expected lower-case"),
    (_yaml({"file": "00_a.ipynb", "number": 1, "name": "a"}, {"file": "01_b.ipynb", "number": 1, "name": "b"}),
     r"01_b and 00_a share the number '1'"),
    (_yaml({"file": "00_a.ipynb", "number": 1, "name": "a", "reads": ["07_x"]}),
     r"00_a reads \['07_x'\], which is not a chapter"),
    (_yaml({"file": "00_a.ipynb", "number": 1, "name": "a", "reads": ["01_b"]},
           {"file": "01_b.ipynb", "number": 2, "name": "b", "reads": ["00_a"]}), "in a circle"),
    (_yaml({"file": "01_b.ipynb", "number": 1, "name": "b"}, {"file": "00_a.ipynb", "number": 2, "name": "a"}),
     "list the chapters in file order"),
    (_yaml({"file": "90_a.ipynb", "number": 1, "name": "a"}), "notebooks 90-99 are appendices"),
    (_yaml({"file": "00_a.ipynb", "number": 1, "name": "a"}) + "    colour: red\n", r"unknown key\(s\) \['colour'\]"),
])
def test_a_bad_registry_is_refused_with_a_message_naming_the_entry(text: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        parse(text, Path("report/chapters.yml"))


def test_the_ledger_codes_are_the_data_packages_chapter_enum() -> None:
    pkg = json.loads((ROOT / "data" / "datapackage.json").read_text())
    claims = next(r for r in pkg["resources"] if r["name"] == "claims")
    field = next(f for f in claims["schema"]["fields"] if f["name"] == "chapter")
    assert field["constraints"]["enum"] == REG.ledger_codes()


def test_build_chapter_runs_it_and_its_upstream_and_renders_nothing(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m aicompute build --chapter NN_x``: every parameter is checked as in a full build (the default
    file names other chapters), then only NN_x and what it reads run, and nothing is rendered."""
    from aicompute.pipeline import build as build_mod

    project = build_mod.copy_sources(tmp_path)
    ran: list[list[str]] = []
    monkeypatch.setattr(build_mod, "_run_notebooks",
                        lambda project, registry, chapters, *a: ran.append([nb.stem for nb in chapters]) or [])
    monkeypatch.setattr("aicompute.pipeline.render.find_quarto", lambda: pytest.fail("the build rendered"))
    reader = next(ch for ch in REG.chapters if ch.reads)
    assert build_mod.main(["--project", str(project.root), "--chapter", reader.stem]) == 0
    assert ran == [[s for s in REG.stems() if s in REG.upstream(reader.stem) | {reader.stem}]]
    assert not (project.root / "report" / "_site").exists()
