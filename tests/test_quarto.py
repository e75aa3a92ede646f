"""Which Quarto renders the report (aicompute.pipeline.quarto): the pin stated once and agreed with by the
project's files, and the source `make venv` chooses in each case — on PATH, pip, the offline kit, none — with
fake installers (nothing is downloaded)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from aicompute.pipeline import quarto as q

ROOT = Path(__file__).resolve().parents[1]


def _fake_quarto(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "quarto"
    exe.write_text(f"#!/bin/sh\necho {version}\n")
    exe.chmod(0o755)
    return exe


# --------------------------------------------------------------------------------------------- the pin


def test_the_pin_is_stated_once_and_the_project_files_agree() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", q.PINNED)
    assert tuple(int(x) for x in q.PINNED.split(".")) >= q.MIN_QUARTO
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["render"]
    assert extra == [f"quarto-cli=={q.PINNED}"]
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    assert f"quarto={q.PINNED}" in conda, "environment.yml must pin conda-forge's quarto to the same version"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "aicompute.pipeline.quarto --require-pinned" in ci, "CI checks the Quarto it renders with is the pin"
    assert "install.sh" not in ci.split("make venv")[0], "CI gets Quarto through make venv, as a reader does"
    assert set(re.findall(r"\b1\.\d+\.\d+\b", ci)) <= {q.PINNED}, "no other Quarto version in .ci/run"
    assert "aicompute.pipeline.quarto --install" in (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    assert f"Quarto {q.PINNED}" in readme and f"quarto-cli=={q.PINNED}" in readme
    assert set(re.findall(r"quarto-cli==([\d.]+)", readme)) == {q.PINNED}


# --------------------------------------------------------------------------------------------- the sources

#: case -> (Quarto on PATH, pip's fake outcome, kit present, expected source or error phrase)
CASES = {
    "a suitable Quarto on PATH: used, nothing installed": ("1.10.18", None, True, "PATH"),
    "a newer one on PATH: used as it is": ("1.11.2", None, True, "PATH"),
    "none on PATH: pip installs the pin": (None, "ok", True, "pip"),
    "one too old on PATH: pip installs the pin": ("1.6.40", "ok", True, "pip"),
    "pip cannot download (offline): the kit": (None, "fail", True, "kit"),
    "pip installs another version: the kit": (None, "1.10.19", True, "kit"),
    "neither pip nor a kit: one message": (None, "fail", False, "no offline kit was found"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_install_chooses_the_source(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_path, pip_outcome, kit_present, expected = CASES[case]
    path_dir = tmp_path / "path"
    path_dir.mkdir()
    if on_path:
        _fake_quarto(path_dir, on_path)
    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    kit = tmp_path / "shared" / "quarto" / "install.sh"
    if kit_present:
        kit.parent.mkdir(parents=True)
        kit.write_text("#!/bin/sh\n")
    monkeypatch.setenv(q.KIT_ENV, str(kit))
    calls: list[str] = []

    def fake_pip(prefix: Path, log) -> str:
        calls.append("pip")
        if pip_outcome == "fail":
            return "exit 1: Error downloading Quarto: <urlopen error [Errno -2] Name or service not known>"
        _fake_quarto(prefix / "bin", q.PINNED if pip_outcome == "ok" else pip_outcome)
        return ""

    def fake_kit(script: Path, log) -> Path:
        calls.append("kit")
        return _fake_quarto(tmp_path / "kit-bin", q.PINNED).parent

    lines: list[str] = []
    run = lambda: q.install(tmp_path / "project", env, log=lines.append, pip=fake_pip, kit=fake_kit,  # noqa: E731
                            path_env=str(path_dir))
    if expected not in ("PATH", "pip", "kit"):
        with pytest.raises(q.QuartoMissing) as info:
            run()
        assert expected in str(info.value) and "Error downloading Quarto" in str(info.value)
        assert "https://quarto.org" in str(info.value) and not (env / "bin" / "quarto").exists()
        return
    found = run()
    assert found.source == expected, (found, lines)
    assert calls == {"PATH": [], "pip": ["pip"], "kit": ["pip", "kit"]}[expected]
    if expected == "PATH":
        assert found.path == str(path_dir / "quarto") and not (env / q.RECORD).exists()
        assert found.pinned == (on_path == q.PINNED)
        return
    assert found.version_text == q.PINNED and found.path == str(env / "bin" / "quarto")
    assert json.loads((env / q.RECORD).read_text())["source"] == expected
    if expected == "kit":
        assert (env / "bin" / "quarto").resolve() == (tmp_path / "kit-bin" / "quarto").resolve()
    # the build then finds the installed one (PATH has nothing suitable) and says where it came from
    again = q.find(env, path_env=str(path_dir))
    assert (again.source, again.version_text) == (expected, q.PINNED)
    assert f"Quarto {q.PINNED} (the pinned version)" in again.describe()
    assert {"pip": "by pip (quarto-cli)", "kit": "from the offline kit"}[expected] in again.describe()
    # a second `make venv` installs nothing
    calls.clear()
    assert q.install(tmp_path / "project", env, log=lines.append, pip=fake_pip, kit=fake_kit,
                     path_env=str(path_dir)).source == expected and calls == []


def test_find_prefers_path_then_the_environment(tmp_path: Path) -> None:
    env = tmp_path / "env"
    _fake_quarto(env / "bin", q.PINNED)
    (env / q.RECORD).write_text(json.dumps({"source": "kit", "detail": "d"}))
    on_path = _fake_quarto(tmp_path / "path", "1.10.20")
    assert q.find(env, path_env=str(on_path.parent)).source == "PATH"
    assert "not the pinned" in q.find(env, path_env=str(on_path.parent)).describe()
    assert q.find(env, path_env=str(tmp_path / "nothing")).source == "kit"
    # the environment's own, put on PATH by `source .venv/bin/activate`, is still reported as the kit's
    assert q.find(env, path_env=str(env / "bin")).source == "kit"
    with pytest.raises(q.QuartoMissing, match="Quarto not found on PATH nor in the project's environment"):
        q.find(tmp_path / "empty", path_env=str(tmp_path / "nothing"))


def test_the_cli_never_fails_make_venv_without_quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    def missing(*a, **k):
        raise q.QuartoMissing("no Quarto")

    monkeypatch.setattr(q, "install", missing)
    monkeypatch.setattr(q, "find", missing)
    assert q.main(["--install"]) == 0  # make venv goes on; make report stops before rendering, with the message
    assert "no Quarto" in capsys.readouterr().err
    assert q.main(["--install", "--require-pinned"]) == 1
    assert q.main([]) == 1


def test_the_real_pip_attempt_is_bounded() -> None:
    """Offline, quarto-cli's build fails on its download (seen: 17-22 s here); pip is told to give up fast
    and the whole attempt has an upper bound."""
    assert q.PIP_TIMEOUT_S <= 300 and "--timeout" in q.PIP_ARGS and "--retries" in q.PIP_ARGS


def test_offline_pip_is_skipped_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline, `make venv` went to the kit only after pip had failed (8-34 s): now a connection to Quarto's
    download host is tried first and pip is not started when it cannot be made."""
    started: list[object] = []
    monkeypatch.setattr(q.subprocess, "run", lambda *a, **k: started.append(a))
    monkeypatch.setattr(q, "DOWNLOAD_HOST", ("127.0.0.1", _closed_port()))
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    why = q.pip_install(tmp_path, lambda s: None)
    assert why.startswith("skipped, Quarto's downloads are out of reach: cannot connect to 127.0.0.1:")
    assert started == []


def test_the_probe_is_bounded_and_follows_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket
    import threading
    import time

    release = threading.Event()

    def hang(*a: object, **k: object) -> None:  # a name lookup that hangs (it ignores the socket's timeout)
        release.wait(10)
        raise OSError("gave up")

    monkeypatch.setattr(q.socket, "create_connection", hang)
    t0 = time.perf_counter()
    assert q.unreachable(("github.com", 443), timeout=0.3) == "no connection to github.com:443 within 0 s"
    assert time.perf_counter() - t0 < 2
    release.set()
    seen: list[tuple[str, int]] = []
    monkeypatch.setattr(q.socket, "create_connection", lambda addr, timeout: seen.append(addr) or socket.socket())
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    assert q.unreachable() == "" and seen == [("proxy.example", 3128)]  # online: pip runs as before


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
