"""Command line: ``python -m aicompute build [options]``, ``validate``, ``chapters [--check]`` and
``new-chapter NN_topic``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m aicompute {build,validate,chapters,new-chapter} [options]\n"
              "  build        validate data, execute notebooks (cached), render report/_site\n"
              "  validate     validate the data package only\n"
              "  chapters     rewrite the chapter lists generated from report/chapters.yml (--check: only check)\n"
              "  new-chapter  NN_topic: a template notebook, registered in report/chapters.yml")
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "build":
        from aicompute.pipeline.build import main as build_main

        return build_main(rest)
    if command == "chapters":
        from aicompute.pipeline.registry import main as chapters_main

        return chapters_main(rest)
    if command == "new-chapter":
        from aicompute.pipeline.template import main as new_main

        return new_main(rest)
    if command == "validate":
        from aicompute.data import DataError, validate_package

        try:
            counts = validate_package()
        except DataError as exc:
            print(f"DATA ERROR: {exc}", file=sys.stderr)
            return 1
        print("Data package valid: " + ", ".join(f"{k} {v} rows" for k, v in counts.items()))
        return 0
    print(f"unknown command {command!r}; expected build, validate, chapters or new-chapter", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
