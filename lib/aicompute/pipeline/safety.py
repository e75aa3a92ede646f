"""What the build may overwrite, one build at a time, and a clean stop on Ctrl-C.

* :func:`check_outputs` — the build replaces the site folder (``--site``) and writes into the build folder
  (``--build-dir``). It may only replace a folder that does not exist, is empty, or carries the marker the
  build writes into every folder it creates (:data:`SITE_MARKER`, :data:`BUILD_MARKER`). The project root,
  its parents and its source folders (``data/``, ``notebooks/``, ``lib/``, ``report/`` itself, ``tests/``,
  ...) and anything inside them except under ``report/`` are refused outright.
* :class:`BuildLock` and :func:`lock_files` — one build at a time per build folder (``<build-dir>/build.lock``)
  and per report (``build/report.lock``, taken by builds that render: they write ``report/``). A lock file
  holds an OS lock (released by the kernel when the process dies, so a stale lock from a killed build is
  simply taken over) and the holder's pid. A build that only executes into its own ``--build-dir`` (the
  notebook tests) runs alongside ``make report``.
* :class:`InterruptiblePool` — a process pool whose workers are stopped at once on Ctrl-C instead of
  finishing their notebooks.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["UnsafeOutput", "BuildLocked", "SITE_MARKER", "BUILD_MARKER", "check_outputs", "check_folder",
           "mark", "BuildLock", "lock_files", "InterruptiblePool", "clean_leftovers"]

SITE_MARKER = ".aicompute-site"
BUILD_MARKER = ".aicompute-build"
#: Folders of the project that hold sources: never replaced, never written into.
SOURCE_DIRS = ("data", "notebooks", "lib", "tests", "bench", ".git", ".github", ".ci", ".venv")
_MARKER_TEXT = "Created by `python -m aicompute build`; the build may delete and replace this folder.\n"


class UnsafeOutput(ValueError):
    """An output folder the build must not replace; the message says which and why."""


class BuildLocked(RuntimeError):
    """Another build holds the lock; the message names its process id."""


def _is_relative_to(path: Path, other: Path) -> bool:
    try:
        path.relative_to(other)
    except ValueError:
        return False
    return True


def _legacy(folder: Path, marker: str) -> bool:
    """A folder written by a build from before the markers existed (recognised by what it always holds)."""
    if marker == SITE_MARKER:
        return (folder / "index.html").is_file() and (folder / "downloads" / "aicompute-data-package.zip").is_file()
    return any((folder / name).exists() for name in ("cache", "executed", "failed", "build.lock", "report.lock"))


def check_folder(folder: Path, root: Path, marker: str, option: str) -> None:
    """Raise :class:`UnsafeOutput` unless the build may replace (or write into) ``folder``."""
    folder, root = Path(folder).resolve(), Path(root).resolve()
    refuse = f"{option} {folder}: refusing to use this folder for build output"
    if folder == root or _is_relative_to(root, folder):
        raise UnsafeOutput(f"{refuse}: it is the project root or one of its parents")
    if folder == root / "report":
        raise UnsafeOutput(f"{refuse}: it is the report's source folder (report/)")
    for name in SOURCE_DIRS:
        if _is_relative_to(folder, root / name):
            raise UnsafeOutput(f"{refuse}: it is (inside) the project's {name}/ folder, which holds sources")
    for candidate in (folder, folder.with_name(folder.name + ".old")) if marker == SITE_MARKER else (folder,):
        if not candidate.exists():
            continue
        if not candidate.is_dir():
            raise UnsafeOutput(f"{refuse}: {candidate} exists and is not a folder")
        if marker == BUILD_MARKER and _is_relative_to(candidate, root / "build"):
            continue  # the default build folder and the presets' folders in it hold build products only
        if any(candidate.iterdir()) and not (candidate / marker).exists() and not _legacy(candidate, marker):
            raise UnsafeOutput(
                f"{refuse}: {candidate} is not empty and was not created by the build (no {marker} marker "
                "file in it), and the build would replace it. Choose a new or empty folder, or move it away "
                "yourself.")


def check_outputs(root: Path, site: Path | None, build_dir: Path) -> None:
    """Check the site folder (``None``: not rendered) and the build folder before anything is written."""
    if site is not None:
        check_folder(site, root, SITE_MARKER, "--site")
    check_folder(build_dir, root, BUILD_MARKER, "--build-dir")


def mark(folder: Path, marker: str) -> None:
    """Create ``folder`` if needed and write the marker that lets later builds replace it."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / marker).exists():
        (folder / marker).write_text(_MARKER_TEXT, encoding="utf-8")


def lock_files(root: Path, build_dir: Path, render: bool) -> list[Path]:
    """The locks a build takes: its build folder's, and the report's when it renders."""
    return [build_dir / "build.lock", *([root / "build" / "report.lock"] if render else [])]


def clean_leftovers(build_dir: Path, report_dir: Path | None) -> None:
    """Remove scratch folders a killed build left behind (call only while holding the locks that cover them)."""
    for tmp in [*build_dir.glob("run-*"), *(report_dir.glob("_site.tmp-*") if report_dir else [])]:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)


class BuildLock:
    """An exclusive lock on ``path`` (``flock``), holding the owner's pid; a dead owner's lock is free.

    ``wait=False``: raise :class:`BuildLocked` naming the owner; ``wait=True``: wait for it, logging once.
    """

    def __init__(self, path: Path, *, wait: bool = False, log: Callable[[str], None] = print,
                 poll: float = 1.0) -> None:
        self.path, self.wait, self.log, self.poll = Path(path), wait, log, poll
        self._fd: int | None = None

    def owner(self) -> str:
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        return text or "unknown process"

    def acquire(self) -> None:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        told = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not self.wait:
                        raise BuildLocked(f"another build is running in this project ({self.owner()}; lock "
                                          f"file {self.path}). Wait for it to finish (or pass --wait), or stop "
                                          "it.") from None
                    if not told:
                        self.log(f"Waiting for the other build to finish ({self.owner()})...")
                        told = True
                    time.sleep(self.poll)
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)  # keep the file (deleting it would race with a waiting build)
            os.close(self._fd)  # closing releases the lock
            self._fd = None

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _die_with_parent() -> None:
    """In a worker: be killed when the build process dies, even by SIGKILL (Linux; elsewhere a no-op)."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class InterruptiblePool(ProcessPoolExecutor):
    """A process pool that, on Ctrl-C (or any exception) in the ``with`` block, stops its workers at once
    (their kernels exit with them) instead of waiting for the running notebooks to finish. Its workers also
    die with the build process if that is killed outright."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initializer", _die_with_parent)
        super().__init__(*args, **kwargs)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> bool | None:
        if exc_type is None:
            return super().__exit__(exc_type, exc, tb)
        for proc in list((getattr(self, "_processes", None) or {}).values()):  # no public API before 3.14
            proc.terminate()
        self.shutdown(wait=False, cancel_futures=True)
        return None
