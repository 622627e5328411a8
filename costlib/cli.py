"""The ``costbook`` command.

::

    costbook validate [PATH ...]      check scenario files (no kernel started); non-zero on any error
    costbook run [PATH ...]           run scenarios (all when no path) and write outputs/ and its index
    costbook index                    rewrite outputs/index.html from the reports already written
    costbook new finops --bill PATH [-o params/finops/NAME.yaml]
                                      write a commented FinOps scenario for your own FOCUS bill
    costbook compare A.yaml B.yaml    scenarios of one workbook side by side (outputs/compare/)
    costbook sweep S.yaml --vary K=LOW:HIGH:N [--vary K2=...]   a one- or two-input grid (outputs/sweep/)
    costbook diff OLD NEW             inputs, figures and verdicts that changed; exit 1 when a verdict flipped
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

    p_new = sub.add_parser("new", help="write a scenario from your own data")
    p_new.add_argument("workbook", choices=["finops"], help="the workbook (finops: from a FOCUS bill)")
    p_new.add_argument("--bill", required=True, help="FOCUS file, folder or glob (CSV, .csv.gz or Parquet)")
    p_new.add_argument("-o", "--output", default=None,
                       help="scenario file to write (default: params/finops/<bill name>.yaml)")
    p_new.add_argument("--currency", default=None, help="the BillingCurrency to analyse when the bill has several")

    _add_decision_commands(sub)
    args = parser.parse_args(argv)
    if args.command == "new":
        from costlib import scaffold

        return scaffold.new_finops(args.bill, args.output, args.currency)
    if args.command in ("compare", "sweep", "diff"):
        return _decision_command(args)
    from costlib import runner

    if args.command == "validate":
        return runner.validate(args.paths)
    if args.command == "run":
        return runner.run(args.paths, outputs_dir=args.outputs, jobs=args.jobs, progress=not args.no_progress,
                          profile=args.profile)
    if args.command == "index":
        return runner.index(args.outputs)
    return 2


def _add_decision_commands(sub) -> None:
    """``compare``, ``sweep`` and ``diff`` (DESIGN.md, "Deciding between scenarios")."""
    p = sub.add_parser("compare", help="scenarios of one workbook side by side: figures, verdicts, inputs")
    p.add_argument("paths", nargs="+", help="two or more params files of one workbook (the first is the reference)")
    p.add_argument("-o", "--outputs", default=None, help="output folder (default: outputs/)")
    p = sub.add_parser("sweep", help="vary one or two inputs over a grid: figures, verdict map, heatmap")
    p.add_argument("path", help="a params file")
    p.add_argument("--vary", action="append", default=[], metavar="KEY=LOW:HIGH:N",
                   help="an input (scenario key by dotted path, or a model input) and its grid; once or twice")
    p.add_argument("--figure", action="append", default=[], metavar="KEY",
                   help="a headline figure for the table (default: the figures whatif recomputes)")
    p.add_argument("-o", "--outputs", default=None, help="output folder (default: outputs/)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p = sub.add_parser("diff", help="what changed between two outputs folders or git revisions of params/")
    p.add_argument("old", help="an outputs folder, a params folder, or a git revision (HEAD~1)")
    p.add_argument("new", help="the same kinds; '.' is the working tree's params/")
    p.add_argument("--rtol", type=float, default=None, help="relative change that counts as moved (default 0.001)")
    p.add_argument("--markdown", default=None, metavar="FILE", help="also write a Markdown page (a PR comment)")
    p.add_argument("-o", "--outputs", default=None, help="output folder for the HTML (default: outputs/)")


def _decision_command(args) -> int:
    if args.command == "compare":
        from costlib import compare

        return compare.main(args.paths, outputs_dir=args.outputs)
    if args.command == "sweep":
        from costlib import sweep

        return sweep.main(args.path, args.vary, outputs_dir=args.outputs, figures=args.figure,
                          progress=not args.no_progress)
    from costlib import diff

    return diff.main(args.old, args.new, rtol=args.rtol, markdown=args.markdown, outputs_dir=args.outputs)


if __name__ == "__main__":
    sys.exit(main())
