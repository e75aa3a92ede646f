"""What the build may overwrite, one build at a time, and a clean stop on Ctrl-C.

* :func:`check_outputs` — the build replaces the site folder (``--site``) and writes into the build folder
  (``--build-dir``). It may only replace a folder that does not exist, is empty, or carries the marker the
  build writes into every folder it creates (:data:`SITE_MARKER`, :data:`BUILD_MARKER`). The project root,
  its parents and its source folders (``data/``, ``notebooks/``, ``lib/``, ``report/`` itself, ``tests/``,
  ...) and anything inside them except under ``report/`` are refused outright.
* :class:`BuildLock` and :func:`lock_files` — one build at a time per build folder (``<build-dir>/build.lock``)
  and per report (``build/report.lock``, taken by builds that render: they write ``report/``). A lock is a
  :mod:`filelock` OS lock (released by the kernel when the process dies, so a stale lock from a killed build
  is simply taken over); ``<lock>.owner`` names the holder's pid. A build that only executes into its own ``--build-dir`` (the
  notebook tests) runs alongside ``make report``.
* :class:`InterruptiblePool` — a process pool whose workers are stopped at once on Ctrl-C instead of
  finishing their notebooks.
* :func:`swap_in` — the finished site replaces the last good one without ever losing it: it is staged next to
  the target (same folder, so the same filesystem), the old site is renamed aside, the new one renamed in
  and verified, and only then is the old one removed. A build stopped between the two renames puts the old
  site back on its next start (:func:`clean_leftovers`).
* :func:`write_manifest` / :func:`site_problem` — every site carries :data:`MANIFEST`, the render key it was
  built from and each file's hash: "up to date" means the manifest matches this build's key and every file
  still matches its hash; a site with a missing, edited or corrupt file is rebuilt.
* :func:`os_error_line` — a read-only folder or a full disk: one line saying what and where.

Only folders carrying a marker are ever cleaned or replaced; nothing is guessed from a folder's contents.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

from filelock import FileLock, Timeout

SITE_MARKER = ".aicompute-site"
BUILD_MARKER = ".aicompute-build"
#: Inside every site the build made: the render key and each file's SHA-256.
MANIFEST = ".aicompute-manifest.json"
#: Folders of the project that hold sources: never replaced, never written into.
SOURCE_DIRS = ("data", "notebooks", "lib", "tests", "bench", ".git", ".github", ".ci", ".venv")
_MARKER_TEXT = "Created by `python -m aicompute build`; the build may delete and replace this folder.\n"


class UnsafeOutput(ValueError):
    """An output folder the build must not replace; the message says which and why."""


class BuildLocked(RuntimeError):
    """Another build holds the lock; the message names its process id."""


class SwapFailed(RuntimeError):
    """The new site could not be put in place; the last good site is still (or again) there."""


def check_folder(folder: Path, root: Path, marker: str, option: str) -> None:
    """Raise :class:`UnsafeOutput` unless the build may replace (or write into) ``folder``."""
    folder, root = Path(folder).resolve(), Path(root).resolve()
    refuse = f"{option} {folder}: refusing to use this folder for build output"
    if root.is_relative_to(folder):
        raise UnsafeOutput(f"{refuse}: it is the project root or one of its parents")
    if folder == root / "report":
        raise UnsafeOutput(f"{refuse}: it is the report's source folder (report/)")
    for name in SOURCE_DIRS:
        if folder.is_relative_to(root / name):
            raise UnsafeOutput(f"{refuse}: it is (inside) the project's {name}/ folder, which holds sources")
    if not folder.exists():
        return
    if not folder.is_dir():
        raise UnsafeOutput(f"{refuse}: {folder} exists and is not a folder")
    if marker == BUILD_MARKER and folder.is_relative_to(root / "build"):
        return  # the default build folder and the presets' folders in it hold build products only
    if any(folder.iterdir()) and not marked(folder, marker):
        raise UnsafeOutput(
            f"{refuse}: {folder} is not empty and was not created by the build (no {marker} marker "
            "file in it), and the build would replace it. Choose a new or empty folder, or move it away "
            "yourself.")


def check_outputs(root: Path, site: Path | None, build_dir: Path) -> None:
    """Check the site folder (``None``: not rendered) and the build folder before anything is written; the
    build folder may not lie inside the site (the swap would delete it) nor the other way round."""
    if site is not None:
        check_folder(site, root, SITE_MARKER, "--site")
        site_r, out_r = Path(site).resolve(), Path(build_dir).resolve()
        if out_r.is_relative_to(site_r):
            raise UnsafeOutput(f"--build-dir {out_r}: refusing to use this folder for build output: it is (inside) "
                               f"the site folder {site_r}, which every rendering build replaces")
        if site_r.is_relative_to(out_r / "executed") or site_r.is_relative_to(out_r / "cache"):
            raise UnsafeOutput(f"--site {site_r}: refusing to use this folder for build output: it is inside "
                               f"the build folder's executed/ or cache/")
    check_folder(build_dir, root, BUILD_MARKER, "--build-dir")


def marked(folder: Path, marker: str) -> bool:
    """``folder`` carries ``marker`` (a build made it)."""
    return (Path(folder) / marker).is_file()


def mark(folder: Path, marker: str) -> None:
    """Create ``folder`` if needed and write the marker that lets later builds replace it."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / marker).exists():
        (folder / marker).write_text(_MARKER_TEXT, encoding="utf-8")


def lock_files(root: Path, build_dir: Path, render: bool) -> list[Path]:
    """The locks a build takes: its build folder's, and the report's when it renders."""
    return [build_dir / "build.lock", *([root / "build" / "report.lock"] if render else [])]


def clean_leftovers(build_dir: Path, report_dir: Path | None, site: Path | None = None) -> list[Path]:
    """Tidy up after a build that was killed (call only while holding the locks that cover these folders):
    its scratch folders (``<build-dir>/run-*``, ``report/_site.tmp-*``, the staged ``.<site>.new-*``) and,
    if it died between the two renames of :func:`swap_in`, the last good site is renamed back. Only folders
    carrying the build's marker are touched. Returns what was removed or restored."""
    done = []
    scratch = [*Path(build_dir).glob("run-*"), *(Path(report_dir).glob("_site.tmp-*") if report_dir else [])]
    if site is not None:
        scratch += Path(site).parent.glob(f".{Path(site).name}.new-*")
    for tmp in scratch:
        if tmp.is_dir() and (marked(tmp, BUILD_MARKER) or marked(tmp, SITE_MARKER)):
            shutil.rmtree(tmp, ignore_errors=True)
            done.append(tmp)
    if site is not None:
        site = Path(site)
        for old in sorted(site.parent.glob(f".{site.name}.old-*")):
            if not old.is_dir() or not marked(old, SITE_MARKER):
                continue
            if not site.exists():
                old.rename(site)  # the swap was stopped halfway: the last good site comes back
            else:
                shutil.rmtree(old, ignore_errors=True)
            done.append(old)
    return done


# ------------------------------------------------------------------------------------------------ the site


def _file_hash(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _site_files(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): _file_hash(p) for p in sorted(site.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def write_manifest(site: Path, key: str, engine: str = "") -> dict[str, str]:
    """Write :data:`MANIFEST` into ``site``: the render ``key`` it was built from, the engine, each file's hash."""
    files = _site_files(site)
    data = {"key": key, "engine": engine, "written": time.strftime("%Y-%m-%dT%H:%M:%S"), "files": files}
    (site / MANIFEST).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return files


def site_problem(site: Path, key: str | None = None) -> str:
    """Why ``site`` is not a complete site built from render ``key`` ("" if it is; ``key=None``: any key)."""
    site = Path(site)
    if not (site / "index.html").is_file():
        return f"{site} has no index.html"
    try:
        data = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"{site} has no {MANIFEST}"
    except (OSError, ValueError) as exc:
        return f"{site / MANIFEST} is unreadable ({exc})"
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict) or not data["files"]:
        return f"{site / MANIFEST} is not a manifest"
    if key is not None and data.get("key") != key:
        return "its inputs changed since it was rendered"
    for name, digest in data["files"].items():
        path = site / name
        if not path.is_file():
            return f"{name} is missing from {site}"
        if _file_hash(path) != digest:
            return f"{name} in {site} was changed or damaged since it was rendered"
    return ""


def swap_in(staged: Path, target: Path) -> None:
    """Replace the site ``target`` by the finished, marked site ``staged`` (which holds its manifest) without
    ever losing the last good one; see the module docstring. Raises :class:`SwapFailed`."""
    staged, target = Path(staged), Path(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=parent))
    try:
        if os.stat(staged).st_dev == os.stat(parent).st_dev:
            new.rmdir()
            staged.rename(new)
        else:  # another filesystem: copy next to the target first, so that the swap itself only renames
            mark(new, SITE_MARKER)
            shutil.copytree(staged, new, symlinks=True, dirs_exist_ok=True)
            shutil.rmtree(staged, ignore_errors=True)
        problem = site_problem(new)
        if problem:
            raise SwapFailed(f"the staged site is incomplete ({problem})")
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    old = None
    if target.exists() or target.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
        old.rmdir()
        target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)
        shutil.rmtree(new, ignore_errors=True)
        raise
    problem = site_problem(target)
    if problem:  # put the last good site back
        bad = parent / f"{new.name}-bad"
        target.rename(bad)
        if old is not None:
            old.rename(target)
        shutil.rmtree(bad, ignore_errors=True)
        raise SwapFailed(f"the new site did not verify after the swap ({problem})")
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


#: errno values that mean "this folder cannot be written": reported in one line, never as a traceback.
WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)


def os_error_line(exc: OSError) -> str:
    """One line for a failure to write: a read-only or full filesystem, a folder not writable."""
    where = exc.filename or "a build folder"
    reason = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota exceeded",
              errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
              errno.EPERM: "operation not permitted"}.get(exc.errno or 0, exc.strerror or str(exc))
    hint = {errno.ENOSPC: "free some space, or ", errno.EDQUOT: "free some space, or ", errno.EROFS: "",
            errno.EACCES: "make it writable, or ", errno.EPERM: "make it writable, or "}.get(exc.errno or 0)
    advice = f" ({hint}choose another --build-dir / --site, and run the build again)" if hint is not None else ""
    return f"cannot write {where}: {reason}{advice}; the last good report was left untouched."


class BuildLock:
    """An exclusive lock on ``path`` (:class:`filelock.FileLock`: an OS lock the kernel releases when its holder
    dies, so a killed build's lock is simply taken over); the holder's pid and start time are kept beside it in
    ``<path>.owner`` (filelock truncates and removes the lock file itself) for the messages.

    ``wait=False``: raise :class:`BuildLocked` naming the owner; ``wait=True``: wait for it, logging once.
    """

    def __init__(self, path: Path, *, wait: bool = False, log: Callable[[str], None] = print,
                 poll: float = 1.0) -> None:
        self.path, self.wait, self.log, self.poll = Path(path), wait, log, poll
        self.owner_file = self.path.with_name(self.path.name + ".owner")
        self._lock = FileLock(self.path, thread_local=False)  # a build may release it from another thread

    def owner(self) -> str:
        try:
            text = self.owner_file.read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        return text or "unknown process"

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            if not self.wait:
                raise BuildLocked(f"another build is running in this project ({self.owner()}; lock file "
                                  f"{self.path}). Wait for it to finish (or pass --wait), or stop it.") from None
            self.log(f"Waiting for the other build to finish ({self.owner()})...")
            while True:  # a finite timeout per try: filelock refuses an endless wait on a lock this process holds
                with contextlib.suppress(Timeout):
                    self._lock.acquire(timeout=self.poll)
                    break
        self.owner_file.write_text(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n",
                                   encoding="utf-8")

    def release(self) -> None:
        if self._lock.is_locked:
            self.owner_file.unlink(missing_ok=True)  # while still holding the lock: never the next holder's record
            self._lock.release()

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _die_with_parent() -> None:
    """In a worker: be killed when the build process dies, even by SIGKILL (Linux; elsewhere a no-op)."""
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
