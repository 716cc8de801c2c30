"""The ``cxreport`` command: argument parsing and friendly errors only.

What a command produces (a report, a path, a summary) is printed to stdout; messages about it
(errors, failed notebooks, warnings) go through the ``cxreport.cli`` logger to stderr, plain,
and ``cxreport run``'s progress through the report layer's own loggers (``-v`` / ``-q`` set the
level of both).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time

from ._version import __version__
from .errors import CxReportError, ParameterError

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM
log = logging.getLogger(__name__)


def _validate(args) -> int:
    from .data import validate

    report = validate(args.data_dir)
    if args.json:
        import json

        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        print(report.format())
    return 0 if report.ok else EXIT_USER_ERROR


def _init(args) -> int:
    from .data import validate
    from .data.draft import write_draft

    path, draft = write_draft(args.data_dir, force=args.force)
    print(f"wrote {path}: " + ", ".join(f"{t} ← {f}" for t, f in draft.tables.items()))
    report = validate(args.data_dir)
    print(report.format())
    for line in draft.todo:
        print(f"  still needed: {line}")
    if not report.ok:
        print(
            f"Edit {path} (every guess has a '# why:' comment) and run "
            f"`cxreport validate {args.data_dir}` again."
        )
    return 0 if report.ok else EXIT_USER_ERROR


def _sample(args) -> int:
    from .data import sample

    t0 = time.perf_counter()
    sizes = sample.write(
        args.out,
        customers=args.customers,
        months=args.months,
        seed=args.seed,
        end=args.end,
        fmt=args.format,
        chunk=args.chunk or sample.CHUNK,
    )
    rows = ", ".join(f"{k} {v:,}" for k, v in sizes.items())
    print(f"wrote {args.out} in {time.perf_counter() - t0:.1f} s: {rows}")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number; got {text}")
    return value


def _run(args) -> int:
    from .report.pages import error_line
    from .report.parameters import parse_param_args
    from .report.run import run_report

    if args.jobs is not None and args.jobs < 1:
        raise ParameterError(f"--jobs must be a positive whole number; got {args.jobs}.")
    result = run_report(
        log_level=_level(args),
        data_dir=args.data,
        month=args.month,
        out=args.out,
        only=args.only,
        jobs=args.jobs,
        memory_limit=args.memory_limit,
        params=parse_param_args(args.param),
        show_code=args.show_code,
        show_ids=args.show_ids,
        pdf=args.pdf,
        lang=args.lang or "",
        notebooks_dir=args.notebooks,
        kernel=args.kernel,
    )
    for r in result.notebooks:
        if r.status == "skipped":
            log.warning("- %s not run: %s", r.name, r.error.evalue)
        elif r.status != "ok":
            log.error("✗ %s failed at %s", r.name, error_line(r.error))
    if result.leak_caught:
        log.warning(
            "! leak guard: replaced %d customer id(s) in the HTML by pseudonyms; the notebooks "
            "should show ids through run.ids()",
            result.leak_caught,
        )
    n_ok = sum(r.status == "ok" for r in result.notebooks)
    n_skipped = sum(r.status == "skipped" for r in result.notebooks)
    skipped = f", {n_skipped} not run" if n_skipped else ""
    print(f"{n_ok}/{len(result.notebooks)} notebooks ok{skipped}.")
    if result.kept_previous:
        print(
            f"The previous report in {result.folder.parent / result.month} was kept; "
            f"this failed run is in {result.folder}."
        )
    if result.pdf_error:
        log.error("✗ report.pdf not made: %s", result.pdf_error)
    elif args.pdf:
        print(f"PDF: {result.folder / 'report.pdf'}")
    print(f"Report: {result.index}")
    return result.exit_code


def _params(args) -> int:
    from .report.notebooks import default_notebooks_dir, find_notebooks
    from .report.parameters import RUNNER_PARAMS, inspect_parameters

    folder = args.notebooks or default_notebooks_dir()
    for nb in find_notebooks(folder, args.notebook or None):
        print(f"{nb.stem}  ({nb})")
        for name, spec in inspect_parameters(nb).items():
            who = "  [set by cxreport run]" if name in RUNNER_PARAMS else ""
            kind = spec.get("inferred_type_name") or "?"
            print(f"  {name}: {kind} = {spec.get('default')}{who}")
            if spec.get("help"):
                print(f"      {spec['help']}")
        print()
    return 0


def _add_run(subparsers) -> argparse.ArgumentParser:
    from .report.execute import KERNEL

    r = subparsers.add_parser(
        "run",
        help="run the monthly report (notebooks → HTML, index, KPIs, manifest)",
        description="Run every analysis notebook for a month with papermill, in parallel, and "
        "write OUT/<month>/: executed notebooks, shareable HTML (code hidden, customer ids "
        "pseudonymised), index.html with the month's KPIs against the previous month, "
        "report.html (the whole report in one file), metrics.json, manifest.json, the "
        "exported tables (CSV) and report.xlsx (all of them, one sheet each). Exit codes: 0 ok, "
        "1 a notebook failed or --pdf made no PDF, 2 bad data or parameters, 130 interrupted "
        "(Ctrl-C), 143 terminated (SIGTERM).",
    )
    r.add_argument("--data", required=True, metavar="DIR", help="data folder")
    r.add_argument("--month", required=True, metavar="YYYY-MM", help="reporting month")
    r.add_argument(
        "--out", required=True, metavar="DIR", help="output root; the report goes to OUT/<month>/"
    )
    r.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="run only these notebooks (03_churn, churn or 03_churn.ipynb)",
    )
    r.add_argument(
        "--jobs", type=int, metavar="N", help="notebooks run in parallel (default: number of cores)"
    )
    r.add_argument(
        "--memory-limit",
        metavar="SIZE",
        help="memory one notebook's kernel may hold, e.g. 4G or 300M; 0 = no limit (default: "
        "75%% of the machine's memory divided by the notebooks running at once)",
    )
    r.add_argument(
        "--param",
        action="append",
        metavar="K=V",
        help="notebook parameter, coerced by the type its parameters cell declares (repeatable)",
    )
    r.add_argument("--show-code", action="store_true", help="include code in the HTML")
    r.add_argument(
        "--show-ids",
        action="store_true",
        help="show real customer ids in the HTML (default: pseudonyms)",
    )
    r.add_argument(
        "--pdf",
        action="store_true",
        help="also print the whole report as one A4 PDF, OUT/<month>/report.pdf (needs "
        "Chromium; without it the rest of the report is written and the run exits 1)",
    )
    r.add_argument(
        "--lang",
        choices=("en", "zh"),
        help="the report's language: en (English) or zh (Chinese); default: report.lang of "
        "the data folder's cxreport.yaml, else en",
    )
    r.add_argument(
        "--notebooks", metavar="DIR", help="notebooks folder (default: the checkout's notebooks/)"
    )
    r.add_argument("--kernel", default=KERNEL, help=f"Jupyter kernel (default {KERNEL})")
    loud = r.add_mutually_exclusive_group()
    loud.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="more detail on the console: each cell, parameters, workers (run.log has it anyway)",
    )
    loud.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="only warnings, errors and the result lines (no progress)",
    )
    r.set_defaults(func=_run)
    return r


def build_parser() -> argparse.ArgumentParser:
    """The ``cxreport`` argument parser: ``validate``, ``init``, ``sample``, ``run`` and ``params``.

    Returns
    -------
    argparse.ArgumentParser
        Each subcommand's parser sets ``func``, the function that runs it.
    """
    p = argparse.ArgumentParser(
        prog="cxreport",
        description="Customer-experience analytics: validate data, make sample data and run "
        "the monthly CX report.",
    )
    p.add_argument("--version", action="version", version=f"cxreport {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser(
        "validate",
        help="check a data folder against the data contract",
        description="Check every table of a data folder against the data "
        "contract and list every problem at once (exit code 2 on errors).",
    )
    v.add_argument(
        "data_dir",
        metavar="DATA_DIR",
        help="folder with the tables (CSV, Excel, SPSS, Parquet) and cxreport.yaml",
    )
    v.add_argument(
        "--json",
        action="store_true",
        help="print the report as JSON (tables, files, shaping, notes, problems)",
    )
    v.set_defaults(func=_validate)

    i = sub.add_parser(
        "init",
        help="draft a cxreport.yaml for a folder of exports",
        description="Look at the files in a folder, draft a cxreport.yaml "
        "(which file is which table, column mappings, scales, missing codes, "
        "yes/no codes, date formats) with a comment on every guess, then "
        "validate it and print what is still needed.",
    )
    i.add_argument("data_dir", metavar="DATA_DIR", help="folder with your exported files")
    i.add_argument("--force", action="store_true", help="replace an existing cxreport.yaml")
    i.set_defaults(func=_init)

    s = sub.add_parser(
        "sample",
        help="write a realistic, deterministic sample data folder",
        description="Write a sample data folder. The same arguments always "
        "give byte-identical files.",
    )
    s.add_argument("--customers", type=_positive, default=3000, help="customers (default 3000)")
    s.add_argument("--months", type=_positive, default=18, help="months of history (default 18)")
    s.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    s.add_argument("--end", default="2026-10", help="last month, YYYY-MM (default 2026-10)")
    s.add_argument(
        "--format", choices=("csv", "parquet"), default="csv", help="file format (default csv)"
    )
    s.add_argument(
        "--chunk",
        type=_positive,
        help="customers generated and written at a time, which bounds the memory "
        "(default 250000: about 1.5 GB)",
    )
    s.add_argument("--out", required=True, help="folder to write")
    s.set_defaults(func=_sample)

    _add_run(sub)

    pa = sub.add_parser(
        "params",
        help="list every notebook parameter with its type, default and help",
        description="List the parameters of the notebooks (all, or those named): type, "
        "default and help, as their parameters cells declare them; set them with "
        "`cxreport run --param NAME=VALUE`.",
    )
    pa.add_argument(
        "notebook",
        nargs="*",
        metavar="NOTEBOOK",
        help="03_churn, churn or 03_churn.ipynb (default: every notebook)",
    )
    pa.add_argument("--notebooks", metavar="DIR", help="another notebooks folder")
    pa.set_defaults(func=_params)
    return p


def _level(args) -> int:
    if getattr(args, "verbose", False):
        return logging.DEBUG
    return logging.WARNING if getattr(args, "quiet", False) else logging.INFO


@contextlib.contextmanager
def _messages(level: int):
    """The ``cxreport.cli`` logger, plain lines to the current stderr, for one command."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False  # these are the command's own words, not log records to repeat
    try:
        yield
    finally:
        log.removeHandler(handler)


def main(argv: list[str] | None = None) -> int:
    """Run the ``cxreport`` command; errors become one line on stderr and an exit code.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments after the program name; None for ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit code: the command's own (0 on success), 2 for a user mistake
        (:class:`~cxreport.errors.CxReportError`), 130 for Ctrl-C, 143 for SIGTERM, 1 for an
        operating-system error or a bug; 0 when stdout was a closed pipe.
    """
    args = build_parser().parse_args(argv)
    with _messages(_level(args)):
        try:
            return args.func(args)
        except CxReportError as exc:
            log.error("cxreport %s: %s", args.command, exc)
            return EXIT_USER_ERROR
        except BrokenPipeError:  # output piped into `head` and the like
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            return 0
        except KeyboardInterrupt as exc:  # Ctrl-C; `run` also turns SIGTERM into one (exit 143)
            code = getattr(exc, "exit_code", EXIT_INTERRUPTED)
            what = "terminated (SIGTERM)" if code == EXIT_TERMINATED else "interrupted"
            log.error("cxreport %s: %s", args.command, what)
            return code
        except OSError as exc:  # a disk that is full, a folder that cannot be written, ...
            where = f" ({exc.filename})" if exc.filename else ""
            log.error("cxreport %s: %s%s", args.command, exc.strerror or exc, where)
            return 1
        except Exception as exc:  # a bug: one line, the traceback with -v
            log.debug("the traceback:", exc_info=True)
            log.error(
                "cxreport %s: an unexpected error, a bug in cxreport: %s: %s (run again with -v "
                "for the traceback, and please report it)",
                args.command,
                type(exc).__name__,
                " ".join(str(exc).split())[:300],
            )
            return 1


if __name__ == "__main__":
    sys.exit(main())
