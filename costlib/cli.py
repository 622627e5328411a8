"""The ``costbook`` command.

::

    costbook validate [PATH ...]      check scenario files (no kernel started); non-zero on any error
    costbook run [PATH ...]           run scenarios (all when no path) and write outputs/ and its index
    costbook index                    rewrite outputs/index.html from the reports already written
"""

from __future__ import annotations

import argparse
import sys

from costlib import __version__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="costbook", description="Run and validate costbook scenarios.")
    parser.add_argument("--version", action="version", version=f"costbook {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p_validate = sub.add_parser("validate", help="validate scenario files without running them")
    p_validate.add_argument("paths", nargs="*", help="params files or folders (default: all of params/)")

    p_run = sub.add_parser("run", help="execute scenarios and write reports to outputs/")
    p_run.add_argument("paths", nargs="*", help="params files or folders (default: all of params/)")
    p_run.add_argument("-j", "--jobs", type=int, default=None, help="worker processes (default: cores)")
    p_run.add_argument("-o", "--outputs", default=None, help="output folder (default: outputs/)")
    p_run.add_argument("--no-progress", action="store_true", help="no progress bar")
    p_run.add_argument("--profile", action="store_true",
                       help="print where the time went: per-report breakdown, per-worker start-up")

    p_index = sub.add_parser("index", help="rewrite outputs/index.html")
    p_index.add_argument("-o", "--outputs", default=None, help="output folder (default: outputs/)")

    args = parser.parse_args(argv)
    from costlib import runner

    if args.command == "validate":
        return runner.validate(args.paths)
    if args.command == "run":
        return runner.run(args.paths, outputs_dir=args.outputs, jobs=args.jobs, progress=not args.no_progress,
                          profile=args.profile)
    if args.command == "index":
        return runner.index(args.outputs)
    return 2


if __name__ == "__main__":
    sys.exit(main())
