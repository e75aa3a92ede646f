"""The Quarto that renders the report: one pinned version, found or installed by ``make venv``.

:data:`PINNED` is the one place that states the Quarto version the report is tested with (a test checks that
``pyproject.toml``'s ``[render]`` extra, ``environment.yml`` and ``.ci/run`` agree with it); :data:`MIN_QUARTO`
is the oldest that renders it at all (typst books).

Which Quarto the build uses (:func:`find`):

1. a ``quarto`` on ``PATH`` of at least :data:`MIN_QUARTO` — used as it is (a version other than the pin is
   reported, since the book may then differ);
2. else the project's own, ``<environment>/bin/quarto``, which ``--install`` put there; the record
   ``<environment>/aicompute-quarto.json`` says where it came from.

What ``python -m aicompute.pipeline.quarto --install`` (run by ``make venv``) does when (1) finds nothing
suitable and the environment holds no pinned Quarto yet (:func:`install`), first success wins:

a. ``pip install quarto-cli==PINNED`` into the environment (the ``[render]`` extra; it downloads Quarto's
   binaries from :data:`DOWNLOAD_HOST` while installing, so offline it fails: a connection to that host is
   tried first, for at most :data:`PROBE_TIMEOUT_S`, and pip is skipped when it cannot be made; pip's own
   time is bounded too, see :data:`PIP_TIMEOUT_S`);
b. the offline kit ``../shared/quarto/install.sh`` next to the project (``$AICOMPUTE_QUARTO_KIT`` names
   another), linked as ``<environment>/bin/quarto``;
c. neither: one message saying how to install Quarto. ``make venv`` still succeeds; ``make report`` then
   validates and executes the notebooks and stops before rendering with the same message.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

#: The Quarto version the report is tested with, and the one ``make venv`` installs.
PINNED = "1.10.18"
#: Typst books need Quarto 1.9.36 or later.
MIN_QUARTO = (1, 9, 36)
#: Upper bound on the pip attempt (a download that cannot reach its host fails, it does not hang).
PIP_TIMEOUT_S = 240
#: pip's own per-connection timeout and retries: offline, fail fast.
PIP_ARGS = ("--timeout", "10", "--retries", "1")
#: Where quarto-cli's install downloads Quarto's release binaries from (GitHub releases), and how long the
#: connection to it (name lookup included) may take before pip is skipped as offline: seen here, pip failed
#: offline only after 8-34 s, where the probe answers in well under a second.
DOWNLOAD_HOST = ("github.com", 443)
PROBE_TIMEOUT_S = 4.0
RECORD = "aicompute-quarto.json"
KIT_ENV = "AICOMPUTE_QUARTO_KIT"

INSTALL_HELP = (
    "Quarto {min} or later is needed to render the report (the notebooks were executed and cached; "
    "install Quarto and run the build again). `make venv` installs the tested version {pin} itself "
    "(`.venv/bin/python -m aicompute.pipeline.quarto --install`: pip's quarto-cli, which needs to reach "
    "Quarto's downloads, else the offline kit ../shared/quarto/install.sh when it exists). Or any one of: "
    "the installer from https://quarto.org/docs/get-started/ ; conda (conda-forge): conda env create -f "
    "environment.yml ; pip: .venv/bin/pip install quarto-cli=={pin} ; on these project machines, offline: "
    "export PATH=\"$(../shared/quarto/install.sh):$PATH\"."
).format(min=".".join(map(str, MIN_QUARTO)), pin=PINNED)


class QuartoMissing(RuntimeError):
    """No usable Quarto; the message says how to install one."""


@dataclass(frozen=True)
class Quarto:
    """A usable Quarto: where it is, its version, and where it came from ("PATH", "pip" or "kit")."""

    path: str
    version: tuple[int, ...]
    source: str
    detail: str = ""

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))

    @property
    def pinned(self) -> bool:
        return self.version_text == PINNED

    def describe(self) -> str:
        """One line for the build log: which Quarto and where from."""
        where = {"PATH": "found on PATH", "pip": "installed into the environment by pip (quarto-cli)",
                 "kit": "installed into the environment from the offline kit"}.get(self.source, self.source)
        pin = "the pinned version" if self.pinned else f"not the pinned {PINNED}: the book may differ from the tested one"
        detail = f"; {self.detail}" if self.detail else ""
        return f"Quarto {self.version_text} ({pin}), {where}: {self.path}{detail}"


def quarto_version(quarto: str | os.PathLike[str]) -> tuple[int, ...]:
    """``quarto --version`` as a tuple, e.g. (1, 10, 18); :class:`QuartoMissing` if it prints no version."""
    try:
        out = subprocess.run([str(quarto), "--version"], capture_output=True, text=True, timeout=60,
                             check=False).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise QuartoMissing(f"`{quarto} --version` failed ({exc}). {INSTALL_HELP}") from None
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", out)
    if not match:
        raise QuartoMissing(f"`{quarto} --version` printed {out.strip()!r}, not a version. {INSTALL_HELP}")
    return tuple(int(x) for x in match.groups())


def environment() -> Path:
    """The Python environment the project runs in (``.venv`` under ``make``): where ``--install`` puts Quarto."""
    return Path(sys.prefix)


def _own(prefix: Path) -> Path:
    return prefix / "bin" / "quarto"


def _installed(prefix: Path, path: str | Path, version: tuple[int, ...]) -> Quarto:
    """The environment's own Quarto, with where it came from (the record ``--install`` wrote)."""
    record: dict[str, str] = {}
    with contextlib.suppress(OSError, ValueError):
        data = json.loads((prefix / RECORD).read_text(encoding="utf-8"))
        if isinstance(data, dict):
            record = {str(k): str(v) for k, v in data.items()}
    return Quarto(str(path), version, record.get("source", "environment"), record.get("detail", ""))


def _same(a: str | Path, b: str | Path) -> bool:
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return False


def find(prefix: Path | None = None, path_env: str | None = None) -> Quarto:
    """The Quarto the build uses (see the module docstring); :class:`QuartoMissing` if none is usable."""
    prefix = prefix if prefix is not None else environment()
    own = _own(prefix)
    problems = []
    on_path = shutil.which("quarto", path=path_env)
    if on_path and not (own.exists() and _same(on_path, own)):
        version = quarto_version(on_path)
        if version >= MIN_QUARTO:
            return Quarto(on_path, version, "PATH")
        problems.append(f"Quarto {'.'.join(map(str, version))} at {on_path} is too old")
    if own.exists():
        version = quarto_version(own)
        if version >= MIN_QUARTO:
            return _installed(prefix, own, version)
        problems.append(f"Quarto {'.'.join(map(str, version))} at {own} is too old")
    head = "; ".join(problems) if problems else "Quarto not found on PATH nor in the project's environment"
    raise QuartoMissing(f"{head}. {INSTALL_HELP}")


def which() -> str | None:
    """The path of the Quarto the build would use, or None (for tests that run Quarto's pandoc or typst)."""
    try:
        return find().path
    except QuartoMissing:
        return None


def describe(path: str, version: tuple[int, ...], prefix: Path | None = None) -> str:
    """The build log's line for the Quarto at ``path``: its version, whether it is the pin, where it came from."""
    prefix = prefix if prefix is not None else environment()
    own = _own(prefix)
    quarto = _installed(prefix, path, version) if own.exists() and _same(path, own) else Quarto(str(path), version, "PATH")
    return quarto.describe()


#: The fonts the PDF and the charts' text use (the system's; ``make`` does not install them).
FONT_HELP = "on Debian or Ubuntu: sudo apt-get install fonts-dejavu-core fonts-liberation fonts-wqy-microhei"


def missing_fonts() -> list[str]:
    """The PDF's font families that ``fc-list`` does not list ([] when there is no ``fc-list`` to ask)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        latin = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=30).stdout.lower()
        cjk = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    missing = []
    if "dejavu sans" not in latin and "liberation sans" not in latin:
        missing.append("DejaVu Sans or Liberation Sans (charts' text)")
    if not cjk.strip():
        missing.append("a CJK font (the references' Chinese publisher names)")
    return missing


# ------------------------------------------------------------------------------------------------ install


def kit_candidates(root: Path) -> list[Path]:
    """Where the offline kit may be: ``$AICOMPUTE_QUARTO_KIT``, else ``../shared/quarto/install.sh`` beside the
    project (CI lays ``shared/`` there), else ``/work/shared/quarto/install.sh`` (these machines' layout, for
    a clone made elsewhere)."""
    if os.environ.get(KIT_ENV):
        return [Path(os.environ[KIT_ENV])]
    return [root.resolve().parent / "shared" / "quarto" / "install.sh", Path("/work/shared/quarto/install.sh")]


def _proxy() -> tuple[str, int] | None:
    """The HTTPS proxy pip would use (``$https_proxy``/``$HTTPS_PROXY``), as (host, port)."""
    from urllib.parse import urlsplit

    url = os.environ.get("https_proxy") or os.environ.get("HTTPS_PROXY")
    if not url:
        return None
    parts = urlsplit(url if "://" in url else f"http://{url}")
    try:
        return (parts.hostname, parts.port or 8080) if parts.hostname else None
    except ValueError:
        return None


def unreachable(address: tuple[str, int] | None = None, timeout: float = PROBE_TIMEOUT_S) -> str:
    """Why a TCP connection to ``address`` (default: :data:`DOWNLOAD_HOST`, or the HTTPS proxy when one is set)
    cannot be made within ``timeout`` seconds, name lookup included; "" when it can."""
    host, port = address or _proxy() or DOWNLOAD_HOST
    outcome: list[str] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            outcome.append("")
        except OSError as exc:
            outcome.append(f"cannot connect to {host}:{port} ({exc.strerror or exc})")

    probe = threading.Thread(target=connect, daemon=True)  # a name lookup ignores the socket's timeout
    probe.start()
    probe.join(timeout)
    return outcome[0] if outcome else f"no connection to {host}:{port} within {timeout:.0f} s"


def pip_install(prefix: Path, log: Callable[[str], None]) -> str:
    """``pip install quarto-cli==PINNED`` into ``prefix``, bounded in time; returns "" or why it failed.
    Offline (:func:`unreachable` finds Quarto's download host out of reach) pip is not started at all."""
    offline = unreachable()
    if offline:
        return f"skipped, Quarto's downloads are out of reach: {offline}"
    python = prefix / "bin" / "python"
    cmd = [str(python if python.exists() else sys.executable), "-m", "pip", "install", "--quiet",
           "--disable-pip-version-check", *PIP_ARGS, f"quarto-cli=={PINNED}"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False,
                              start_new_session=True)
    except subprocess.TimeoutExpired:
        return f"gave up after {PIP_TIMEOUT_S} s"
    except OSError as exc:
        return str(exc)
    if proc.returncode != 0:
        lines = [ln.strip() for ln in f"{proc.stdout}\n{proc.stderr}".splitlines() if ln.strip()]
        reason = next((ln for ln in lines if ln.startswith("Error downloading")), "") \
            or next((ln for ln in reversed(lines) if "rror" in ln), lines[-1] if lines else "")
        return f"exit {proc.returncode}: {reason[:300]}"
    return ""


def run_kit(kit: Path, log: Callable[[str], None]) -> Path:
    """Run the offline kit's installer; returns the folder holding its ``quarto``."""
    proc = subprocess.run(["bash", str(kit)], capture_output=True, text=True, timeout=900, check=False)
    out = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not out:
        raise QuartoMissing(f"{kit} failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}")
    return Path(out[-1])


def _write_record(prefix: Path, quarto: Quarto) -> None:
    data = {**asdict(quarto), "version": quarto.version_text, "installed": time.strftime("%Y-%m-%dT%H:%M:%S")}
    (prefix / RECORD).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def install(root: Path, prefix: Path | None = None, *, log: Callable[[str], None] = print,
            pip: Callable[[Path, Callable[[str], None]], str] = pip_install,
            kit: Callable[[Path, Callable[[str], None]], Path] = run_kit,
            path_env: str | None = None) -> Quarto:
    """Make a usable Quarto available (see the module docstring) and return it; :class:`QuartoMissing` if no
    source worked. ``pip`` and ``kit`` are the installers (replaced by fakes in the tests)."""
    prefix = prefix if prefix is not None else environment()
    with contextlib.suppress(QuartoMissing):
        found = find(prefix, path_env)
        if found.source == "PATH" or found.pinned:
            return found
    own = _own(prefix)
    start = time.perf_counter()
    log(f"Installing Quarto {PINNED} into {prefix} with pip (quarto-cli; it downloads Quarto's binaries)...")
    why = pip(prefix, log)
    seconds = time.perf_counter() - start
    if not why:
        try:
            version = quarto_version(own)
        except QuartoMissing as exc:
            why = str(exc).split(". ")[0]
        else:
            quarto = Quarto(str(own), version, "pip", f"quarto-cli {PINNED} from PyPI")
            if quarto.pinned:
                _write_record(prefix, quarto)
                log(f"pip installed Quarto {PINNED} in {seconds:.0f} s.")
                return quarto
            why = f"it installed Quarto {'.'.join(map(str, version))}, not {PINNED}"
    log(f"pip could not install Quarto ({seconds:.0f} s): {why}")
    for candidate in kit_candidates(root):
        if not candidate.is_file():
            continue
        log(f"Installing Quarto from the offline kit {candidate} ...")
        try:
            bindir = kit(candidate, log)
            version = quarto_version(bindir / "quarto")
        except (QuartoMissing, OSError, subprocess.TimeoutExpired) as exc:
            log(f"the kit {candidate} failed: {exc}")
            continue
        if version < MIN_QUARTO:
            log(f"the kit {candidate} gave Quarto {'.'.join(map(str, version))}, too old")
            continue
        own.parent.mkdir(parents=True, exist_ok=True)
        if own.is_symlink() or own.exists():
            own.unlink()
        own.symlink_to(bindir / "quarto")
        quarto = Quarto(str(own), version, "kit", f"linked to {bindir / 'quarto'} (kit {candidate})")
        _write_record(prefix, quarto)
        return quarto
    raise QuartoMissing(f"no Quarto on PATH, pip could not install it ({why}) and no offline kit was found "
                        f"(looked for {', '.join(map(str, kit_candidates(root)))}). {INSTALL_HELP}")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m aicompute.pipeline.quarto [--install] [--require-pinned]``: show (or install) the Quarto the
    build uses."""
    parser = argparse.ArgumentParser(prog="python -m aicompute.pipeline.quarto", description=main.__doc__)
    parser.add_argument("--install", action="store_true", help="install the pinned Quarto if none is usable")
    parser.add_argument("--require-pinned", action="store_true",
                        help=f"exit 1 unless the Quarto the build uses is {PINNED} (CI)")
    parser.add_argument("--project", type=Path, default=None, help="the project folder (default: this checkout)")
    args = parser.parse_args(argv)
    from aicompute.paths import ROOT

    root = args.project or ROOT
    try:
        quarto = install(root, log=lambda s: print(s, flush=True)) if args.install else find()
    except QuartoMissing as exc:
        print(f"warning: {exc}", file=sys.stderr, flush=True)
        return 1 if (args.require_pinned or not args.install) else 0
    print(quarto.describe(), flush=True)
    if args.require_pinned and not quarto.pinned:
        print(f"error: Quarto {quarto.version_text} is not the pinned {PINNED}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
