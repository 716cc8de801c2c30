"""Unit tests of ``cxreport run`` that start no kernel: parameters, placement, keys, CLI errors."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxreport.cli import main
from cxreport.errors import CxReportError, ParameterError
from cxreport.report import run as report_run
from cxreport.report import signals
from cxreport.report.execute import (
    default_memory_limit,
    execute_one,
    is_transient,
    parse_memory_limit,
    redact_key,
    size_text,
)
from cxreport.report.logs import run_logging
from cxreport.report.notebooks import find_notebooks
from cxreport.report.pages import PageError, Task, error_line
from cxreport.report.parameters import (
    coerce,
    inspect_parameters,
    parse_param_args,
    plan_parameters,
)
from cxreport.report.progress import Progress
from cxreport.report.run import (
    KEY_FILE,
    id_key,
    lock_month,
    lock_run,
    place,
    previous_good,
    remove_stale,
    unlock_month,
    unlock_run,
)
from cxreport.report.signals import Interrupted

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"
ALPHA, BETA = FIXTURES / "01_alpha.ipynb", FIXTURES / "02_beta.ipynb"
RUNNER_VALUES = {
    "data_dir": "/data",
    "month": "2026-10",
    "export_dir": "/tmp/x",
    "history_dir": "/tmp",
    "show_ids": False,
    "id_key": "k" * 64,
}


def _spec(type_name: str, default: str = '""') -> dict:
    return {"name": "p", "inferred_type_name": type_name, "default": default, "help": ""}


def _notebook(tmp_path: Path, name: str, parameters: str) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("x = 1")]
    nb.metadata["kernelspec"] = {
        "name": "cxreport",
        "display_name": "cxreport",
        "language": "python",
    }
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


COMMON = (
    'data_dir: str = "../data/sample"  # data folder\n'
    'month: str = "2026-10"  # reporting month, YYYY-MM\n'
    "seed: int = 42  # seed\n"
    'export_dir: str = ""  # folder for exported tables (empty: do not export)\n'
    'history_dir: str = ""  # history (empty: none)\n'
    "show_ids: bool = False  # ids\n"
    'id_key: str = ""  # key\n'
)


# ----------------------------------------------------------------------------- coercion


def test_coerce_keeps_digits_a_string_when_declared_str():
    # papermill's own -p would make this the int 2024.
    assert coerce("label", "2024", _spec("str"), "nb") == "2024"
    assert coerce("label", "2024-02", _spec("str"), "nb") == "2024-02"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("true", True),
        ("Yes", True),
        ("1", True),
        ("on", True),
        ("false", False),
        ("NO", False),
        ("0", False),
        ("off", False),
    ],
)
def test_coerce_bool_words(text, expected):
    assert coerce("flag", text, _spec("bool", "False"), "nb") is expected


def test_coerce_numbers_and_literals():
    assert coerce("k", " 7 ", _spec("int", "3"), "nb") == 7
    assert coerce("x", "0.25", _spec("float", "1.0"), "nb") == 0.25
    assert coerce("xs", "[1, 2]", _spec("list", "[]"), "nb") == [1, 2]
    assert coerce("xs", '["a", "b"]', _spec("list[str]", "[]"), "nb") == ["a", "b"]
    assert coerce("d", '{"a": 1}', _spec("dict", "{}"), "nb") == {"a": 1}
    assert coerce("o", "none", _spec("Optional[int]", "None"), "nb") is None
    assert coerce("o", "5", _spec("int | None", "None"), "nb") == 5


def test_coerce_unannotated_follows_the_default():
    assert coerce("n", "12", _spec("None", "3"), "nb") == 12
    assert coerce("s", "12", _spec("None", '"x"'), "nb") == "12"
    assert coerce("b", "yes", _spec("None", "False"), "nb") is True


@pytest.mark.parametrize(
    "type_name, text, message",
    [
        ("int", "seven", "The 'p' parameter of nb must be an int; got 'seven'."),
        ("int", "7.5", "must be an int; got '7.5'"),
        ("float", "abc", "The 'p' parameter of nb must be a float; got 'abc'."),
        ("bool", "maybe", "must be a bool (true/false, yes/no, 1/0); got 'maybe'."),
        ("list", "{'a': 1}", "must be a list; got"),
        ("dict", "not a dict", "must be a dict literal such as"),
    ],
)
def test_coerce_bad_values_name_parameter_type_and_value(type_name, text, message):
    with pytest.raises(ParameterError, match=None) as info:
        coerce("p", text, _spec(type_name, "0"), "nb")
    assert message in str(info.value)


@given(st.text())
def test_coerce_str_is_identity(text):
    assert coerce("label", text, _spec("str"), "nb") == text


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_coerce_int_round_trip(value):
    assert coerce("k", str(value), _spec("int", "0"), "nb") == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4G", 4 * 10**9), ("300M", 300 * 10**6), ("1.5GB", 1_500_000_000), ("512mb", 512 * 10**6),
     ("2 GiB", 2 * 10**9), ("1000000", 10**6), ("0", 0), (0, 0), (None, None)],
)  # fmt: skip
def test_memory_limits_are_read_as_sizes(text, expected):
    assert parse_memory_limit(text) == expected


@pytest.mark.parametrize("text", ["lots", "-1G", "4X", "", "1e9", "G"])
def test_a_memory_limit_that_is_no_size_is_refused_with_the_forms_it_takes(text):
    with pytest.raises(ParameterError, match=r"--memory-limit must be a size such as 4G, 300M"):
        parse_memory_limit(text)


def test_the_default_memory_limit_shares_out_three_quarters_of_the_machine():
    import psutil

    total = psutil.virtual_memory().total
    assert default_memory_limit(1) == int(0.75 * total)
    assert default_memory_limit(4) == int(0.75 * total / 4)
    assert size_text(5.8e9) == "5.8 GB" and size_text(3e8) == "300 MB"


def test_a_bad_memory_limit_stops_the_run_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "reports"
    code = main(["run", "--data", str(ROOT / "data" / "sample"), "--month", "2026-10",
                 "--out", str(out), "--memory-limit", "lots"])  # fmt: skip
    assert code == 2
    assert "--memory-limit must be a size such as 4G" in capsys.readouterr().err
    assert not out.exists()


def test_parse_param_args():
    assert parse_param_args(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    assert parse_param_args(None) == {}
    with pytest.raises(ParameterError, match="--param takes NAME=VALUE.*got 'seed'"):
        parse_param_args(["seed"])
    with pytest.raises(ParameterError, match="got '1x=3'"):
        parse_param_args(["1x=3"])


# ----------------------------------------------------------------------------- inspection


def test_inspect_parameters_reads_every_declaration_with_type_and_help():
    spec = inspect_parameters(ALPHA)
    assert list(spec)[:7] == list(RUNNER_VALUES)[:2] + ["seed"] + list(RUNNER_VALUES)[2:]
    assert spec["export_dir"]["inferred_type_name"] == "str"
    assert spec["export_dir"]["help"].startswith("folder for exported tables")
    assert spec["bins"]["inferred_type_name"] == "int"
    assert spec["bins"]["default"] == "10"
    assert spec["leak_ids"]["inferred_type_name"] == "bool"


def test_plan_parameters_coerces_by_each_notebooks_declared_type():
    plans = plan_parameters(
        [ALPHA, BETA],
        {"label": "2024", "bins": "7", "fail": "yes", "seed": "3", "sleep_s": "0.5"},
        RUNNER_VALUES,
    )
    alpha, beta = plans["01_alpha"], plans["02_beta"]
    assert alpha["label"] == "2024" and isinstance(alpha["label"], str)
    assert alpha["bins"] == 7 and alpha["seed"] == 3
    assert "fail" not in alpha  # declared by beta only
    assert beta["fail"] is True and beta["sleep_s"] == 0.5 and "bins" not in beta
    for plan in plans.values():
        assert plan["month"] == "2026-10" and plan["data_dir"] == "/data"
        assert plan["show_ids"] is False and plan["id_key"] == "k" * 64


def test_plan_parameters_lists_every_problem_at_once():
    with pytest.raises(ParameterError) as info:
        plan_parameters(
            [ALPHA, BETA],
            {"bogus": "1", "month": "2024", "id_key": "x", "bins": "ten", "fail": "perhaps"},
            RUNNER_VALUES,
        )
    msg = str(info.value)
    assert "unknown parameter 'bogus': no selected notebook declares it (known: bins, fail" in msg
    assert "'month' is set by cxreport run; use --month" in msg
    assert "'id_key' is set by cxreport run" in msg
    assert "The 'bins' parameter of 01_alpha must be an int; got 'ten'." in msg
    assert "The 'fail' parameter of 02_beta must be a bool" in msg
    assert msg.count("\n  ") == 5


def test_plan_parameters_names_missing_required_and_missing_common(tmp_path):
    needs = _notebook(tmp_path, "10_needs.ipynb", COMMON + "segment_file: str = None  # required\n")
    bare = _notebook(tmp_path, "11_bare.ipynb", "alpha: float = 0.5  # level\n")
    with pytest.raises(ParameterError) as info:
        plan_parameters([needs, bare], {}, RUNNER_VALUES)
    msg = str(info.value)
    assert "10_needs needs 'segment_file' (no default): give --param segment_file=..." in msg
    assert "11_bare.ipynb: the parameters cell lacks data_dir, month" in msg
    plans = plan_parameters([needs], {"segment_file": "seg.csv"}, RUNNER_VALUES)
    assert plans["10_needs"]["segment_file"] == "seg.csv"


def test_plan_parameters_optional_none_is_not_required(tmp_path):
    nb = _notebook(tmp_path, "12_opt.ipynb", COMMON + "cap: int | None = None  # optional cap\n")
    assert "cap" not in plan_parameters([nb], {}, RUNNER_VALUES)["12_opt"]


def test_find_notebooks_only_by_stem_short_name_or_file(tmp_path):
    assert find_notebooks(FIXTURES) == [ALPHA, BETA]
    assert find_notebooks(FIXTURES, ["beta"]) == [BETA]
    assert find_notebooks(FIXTURES, ["02_beta.ipynb", "01_ALPHA"]) == [ALPHA, BETA]
    with pytest.raises(
        ParameterError, match="--only: no notebook named 'gamma'.*01_alpha, 02_beta"
    ):
        find_notebooks(FIXTURES, ["gamma", "alpha"])
    with pytest.raises(CxReportError, match="holds no .ipynb file"):
        find_notebooks(tmp_path)
    with pytest.raises(CxReportError, match="does not exist; give it with --notebooks"):
        find_notebooks(tmp_path / "nope")


# ----------------------------------------------------------------------------- before any kernel


@pytest.fixture
def no_kernels(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("a kernel would have started")

    monkeypatch.setattr(report_run, "execute_all", boom)


def _bad_data(tmp_path: Path) -> Path:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "customers.csv").write_text("customer_id,monthly_fee\nC1,10\nC1,-5\n", encoding="utf-8")
    return bad


def test_bad_data_folder_one_message_exit_2_nothing_written(tmp_path, capsys, no_kernels):
    out = tmp_path / "out"
    code = main(
        [
            "run",
            "--data",
            str(_bad_data(tmp_path)),
            "--month",
            "2026-10",
            "--out",
            str(out),
            "--notebooks",
            str(FIXTURES),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("cxreport run: ") and "Traceback" not in err
    assert "customers.csv" in err and "monthly_fee" in err and "customer_id" in err
    assert not out.exists()


def test_missing_data_folder_exit_2(tmp_path, capsys, no_kernels):
    out = tmp_path / "out"
    code = main(
        [
            "run",
            "--data",
            str(tmp_path / "nowhere"),
            "--month",
            "2026-10",
            "--out",
            str(out),
            "--notebooks",
            str(FIXTURES),
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "does not exist" in err
    assert not out.exists()


def test_bad_parameters_exit_2_before_any_kernel_and_nothing_written(
    tmp_path, capsys, no_kernels, sample_dir
):
    out = tmp_path / "out"
    code = main(
        [
            "run",
            "--data",
            str(sample_dir),
            "--month",
            "2026-10",
            "--out",
            str(out),
            "--notebooks",
            str(FIXTURES),
            "--param",
            "nope=1",
            "--param",
            "bins=x",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "unknown parameter 'nope'" in err and "'bins' parameter of 01_alpha" in err
    assert not out.exists()  # not even the pseudonym key


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--month", "2026-13"], "'2026-13' is not a calendar month"),
        (["--month", "10/2026"], "The month must be written YYYY-MM"),
        (["--jobs", "0"], "--jobs must be a positive whole number; got 0."),
        (["--only", "gamma"], "--only: no notebook named 'gamma'"),
    ],
)
def test_bad_command_line_values(tmp_path, capsys, no_kernels, sample_dir, argv, message):
    base = {
        "--data": str(sample_dir),
        "--month": "2026-10",
        "--out": str(tmp_path / "o"),
        "--notebooks": str(FIXTURES),
    }
    args = ["run"]
    for k, v in base.items():
        if k not in argv:
            args += [k, v]
    code = main(args + argv)
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


# ----------------------------------------------------------------------------- keys, placement


def test_id_key_is_created_once_private_and_stable(tmp_path):
    key = id_key(tmp_path / "out")
    path = tmp_path / "out" / KEY_FILE
    assert len(key) == 64 and int(key, 16) >= 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert id_key(tmp_path / "out") == key
    assert id_key(tmp_path / "other") != key
    path.write_text("short\n")
    with pytest.raises(CxReportError, match="is damaged .*delete it to make a new key"):
        id_key(tmp_path / "out")


def _report(folder: Path, status: str, tag: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"status": status}))
    (folder / "tag").write_text(tag)
    return folder


def test_place_ok_run_replaces_the_month(tmp_path):
    _report(tmp_path / "2026-10", "ok", "old")
    _report(tmp_path / "2026-10.failed", "failed", "stale")
    tmp = _report(tmp_path / ".2026-10.tmp-1", "ok", "new")
    folder, kept = place(tmp, tmp_path, "2026-10", "ok")
    assert folder == tmp_path / "2026-10" and not kept
    assert (folder / "tag").read_text() == "new"
    assert not tmp.exists() and not (tmp_path / "2026-10.failed").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10"]


def test_place_failed_run_keeps_a_good_previous_report(tmp_path):
    _report(tmp_path / "2026-10", "ok", "good")
    tmp = _report(tmp_path / ".2026-10.tmp-1", "failed", "broken")
    folder, kept = place(tmp, tmp_path, "2026-10", "failed")
    assert kept and folder == tmp_path / "2026-10.failed"
    assert (tmp_path / "2026-10" / "tag").read_text() == "good"
    assert (folder / "tag").read_text() == "broken"


def test_place_failed_run_replaces_a_failed_or_missing_report(tmp_path):
    tmp = _report(tmp_path / ".2026-10.tmp-1", "failed", "first")
    folder, kept = place(tmp, tmp_path, "2026-10", "failed")
    assert folder == tmp_path / "2026-10" and not kept
    tmp = _report(tmp_path / ".2026-10.tmp-2", "failed", "second")
    folder, kept = place(tmp, tmp_path, "2026-10", "failed")
    assert not kept and (folder / "tag").read_text() == "second"


def test_remove_stale_clears_dead_runs_and_leaves_a_live_one(tmp_path):
    pytest.importorskip("fcntl")
    out = tmp_path
    _report(out / "2026-10", "ok", "current")
    live = out / ".2026-10.tmp-aa"
    held = lock_run(live)
    live.mkdir()
    dead = out / ".2026-10.tmp-bb"
    os.close(lock_run(dead))  # its runner died: the lock file is there, nobody holds it
    dead.mkdir()
    (out / ".2026-09.tmp-cc").mkdir()  # no lock file at all (an older cxreport)
    _report(out / ".2026-09.old-dd", "ok", "september")  # died swapping: 2026-09/ is missing
    _report(out / ".2026-10.old-ee", "ok", "older")  # died after the new one was in place
    (out / ".2026-08.tmp-ff.lock").touch()  # a lock file whose folder is gone
    done = remove_stale(out)
    assert sorted(p.name for p in out.iterdir()) == [
        ".2026-10.tmp-aa",
        ".2026-10.tmp-aa.lock",
        "2026-09",
        "2026-10",
    ]
    assert (out / "2026-09" / "tag").read_text() == "september"
    assert (out / "2026-10" / "tag").read_text() == "current"
    assert len(done) == 4 and "put back 2026-09/, swapped out by a run that died" in done
    unlock_run(live, held)
    assert sorted(p.name for p in out.iterdir()) == [".2026-10.tmp-aa", "2026-09", "2026-10"]
    remove_stale(out)
    assert sorted(p.name for p in out.iterdir()) == ["2026-09", "2026-10"]


def test_place_names_the_swapped_out_report_after_the_run(tmp_path, monkeypatch):
    _report(tmp_path / "2026-10", "ok", "old")
    tmp = _report(tmp_path / ".2026-10.tmp-5a", "ok", "new")
    seen = []
    real = os.replace

    def replace(src, dst):
        seen.append(Path(dst).name)
        real(src, dst)

    monkeypatch.setattr(report_run.os, "replace", replace)
    place(tmp, tmp_path, "2026-10", "ok")
    assert seen == [".2026-10.old-5a", "2026-10"]


def test_previous_good_needs_a_readable_ok_manifest(tmp_path):
    assert not previous_good(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    assert not previous_good(tmp_path)
    (tmp_path / "manifest.json").write_text('{"status": "ok"}')
    assert previous_good(tmp_path)


# ----------------------------------------------------------------------------- small pieces


def test_error_line():
    err = PageError("ValueError", "bad\n  x", cell_index=4, execution_count=5)
    assert error_line(err) == "cell In [5]: ValueError: bad x"
    err = PageError("DeadKernelError", "died", cell_index=4)
    assert error_line(err) == "cell #5: DeadKernelError: died"
    memory = PageError("OutOfMemory", "the kernel ran out of memory (9.3 GB)", 2, memory=True)
    assert error_line(memory) == "cell #3: the kernel ran out of memory (9.3 GB)"
    long = error_line(PageError("E", "x" * 1000))
    assert len(long) == 300 and long.endswith("...")
    assert error_line(None) == ""


def test_transient_errors_are_kernel_failures_only():
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    assert is_transient(DeadKernelError("Kernel died"))
    assert is_transient(RuntimeError("Kernel didn't respond in 60 seconds"))
    assert is_transient(TimeoutError())
    assert not is_transient(RuntimeError("division went wrong"))
    assert not is_transient(ValueError("kernel"))
    assert not is_transient(
        PapermillExecutionError(3, 4, "1/0", "ZeroDivisionError", "division by zero", [])
    )


def test_redact_key_from_injected_cell_and_metadata():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('month = "2026-10"\nid_key = "secret123"\nseed = 1')
    cell.metadata["tags"] = ["injected-parameters"]
    shown = nbformat.v4.new_code_cell("run")
    shown.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/plain": "Run(id_key='0123456789abcdef0')"}
        )
    ]
    nb.cells = [cell, shown]
    nb.metadata["papermill"] = {"parameters": {"id_key": "secret123", "seed": 1}}
    nb = redact_key(nb)
    assert "0123456789abcdef0" in json.dumps(nb)  # without the key, only known places
    nb = redact_key(nb, "0123456789abcdef0")
    assert "0123456789abcdef0" not in json.dumps(nb)
    text = json.dumps(nb)
    assert "secret123" not in text
    assert nb.metadata["papermill"]["parameters"]["seed"] == 1
    assert 'month = "2026-10"' in nb.cells[0].source


_EVENTS = [
    ("start", "01_a", 1, "ipc"),
    ("cell", "01_a", 3, 9),
    ("retry", "02_b", "DeadKernelError: died"),
    ("start", "02_b", 2, "tcp"),
    ("done", "01_a", "ok", 2.5, ""),
    ("cell", "01_a", 4, 9),  # late, from the worker's queue: ignored
    ("done", "02_b", "failed", 1.0, "cell In [2]: ValueError: x"),
]


def _lines(text: str) -> list[str]:
    return [re.sub(r"^\[\d\d:\d\d:\d\d\] ", "", line) for line in text.splitlines()]


def test_progress_plain_lines_when_not_on_a_terminal():
    stream = io.StringIO()
    with run_logging(stream, tty=False):
        p = Progress(["01_a", "02_b"], None)
        for ev in _EVENTS:
            p.event(ev)
        p.finish()
    text = stream.getvalue()
    assert "\x1b" not in text and all(
        re.match(r"\[\d\d:\d\d:\d\d\] ", x) for x in text.splitlines()
    )
    assert _lines(text)[:-1] == [
        "01_a: started (ipc kernel)",
        "02_b: kernel failure, retrying once (DeadKernelError: died)",
        "02_b: started (tcp kernel, attempt 2)",
        "01_a: ok in 2.5 s",
        "02_b: failed in 1.0 s — cell In [2]: ValueError: x",
    ]
    assert re.fullmatch(r"2 notebooks in \d+\.\d s: 1 ok, 1 failed", _lines(text)[-1])


@pytest.mark.parametrize(
    "level, shown",
    [(logging.DEBUG, ["01_a: cell 3/9"]), (logging.WARNING, []), (logging.INFO, [])],
)
def test_progress_verbose_shows_each_cell_quiet_only_problems(level, shown):
    stream = io.StringIO()
    with run_logging(stream, tty=False, level=level):
        p = Progress(["01_a", "02_b"], None)
        for ev in _EVENTS:
            p.event(ev)
    lines = _lines(stream.getvalue())
    assert [x for x in lines if "cell 3/9" in x] == shown
    assert ("02_b: kernel failure, retrying once (DeadKernelError: died)" in lines) is True
    assert ("01_a: ok in 2.5 s" in lines) is (level <= logging.INFO)


def test_progress_on_a_terminal_draws_a_line_per_notebook_and_one_for_all():
    from rich.console import Console

    stream = io.StringIO()
    with run_logging(stream, tty=True) as run_log:
        p = Progress(["01_a", "02_b", "03_c"], run_log.console)
        assert p.live
        for ev in _EVENTS[:2]:
            p.event(ev)
        frame = Console(file=io.StringIO(), width=100)
        frame.print(p.bars)
        mid = frame.file.getvalue().splitlines()
        for ev in _EVENTS[2:]:
            p.event(ev)
        p.finish()
        frame = Console(file=io.StringIO(), width=100)
        frame.print(p.bars)
        end = frame.file.getvalue().splitlines()
    assert len(mid) == 4 and mid[0].startswith("01_a") and "cell 3/9" in mid[0]
    assert "waiting" in mid[2] and mid[3].startswith("all") and "0/3 notebooks done" in mid[3]
    assert "ok in 2.5 s" in end[0] and "0:00:0" in end[0]
    assert "failed in 1.0 s — cell In [2]: ValueError: x" in end[1]
    assert "2/3 notebooks done, 1 failed" in end[3]
    out = stream.getvalue()
    assert "\x1b[" in out  # drawn live
    # progress lines are the display's; the retry warning and the total print as lines
    assert "01_a: started" not in out and "02_b: kernel failure, retrying once" in out
    assert re.search(r"3 notebooks in \d+\.\d s: 1 ok, 1 failed", out)


def test_progress_on_a_terminal_is_quiet_with_q():
    stream = io.StringIO()
    with run_logging(stream, tty=True, level=logging.WARNING) as run_log:
        p = Progress(["01_a"], run_log.console)
        assert not p.live
        p.event(("start", "01_a", 1, "ipc"))
        p.finish()
    assert stream.getvalue() == ""


def test_run_log_keeps_early_records_and_everything_from_debug(tmp_path):
    stream = io.StringIO()
    logger = logging.getLogger("cxreport.report.run")
    with run_logging(stream, tty=False, level=logging.WARNING) as run_log:
        logger.info("before the folder exists")
        run_log.to_file(tmp_path / "run.log")
        logger.debug("a detail")
        Progress(["01_a"]).event(("cell", "01_a", 1, 2))
    logger.info("after the run: not in its log")
    lines = (tmp_path / "run.log").read_text().splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} "
    assert [re.sub(stamp, "", x) for x in lines] == [
        "INFO    cxreport.report.run: before the folder exists",
        "DEBUG   cxreport.report.run: a detail",
        "DEBUG   cxreport.report.progress: 01_a: cell 1/2",
    ]
    assert all(re.match(stamp, x) for x in lines) and stream.getvalue() == ""


# ------------------------------------------------------------------- worker, no real kernel


def _task(tmp_path: Path, nb: Path, **extra) -> Task:
    return Task(
        name=nb.stem,
        input=nb,
        output_ipynb=tmp_path / nb.name,
        output_html=tmp_path / f"{nb.stem}.html",
        parameters={},
        cwd=nb.parent,
        month="2026-10",
        data_source="/data",
        generated="2026-11-01T00:00:00",
        start_timeout=5,
        execution_timeout=5,
        **extra,
    )


def test_worker_retries_a_kernel_start_failure_once_over_tcp(tmp_path, monkeypatch):
    import papermill

    calls = []

    def fake(input_path, output_path, **kwargs):
        calls.append(kwargs["config"]["KernelManager"]["transport"])
        if len(calls) == 1:
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        nbformat.write(nbformat.read(input_path, as_version=4), output_path)

    monkeypatch.setattr(papermill, "execute_notebook", fake)
    result = execute_one(_task(tmp_path, BETA))
    assert calls == ["ipc", "tcp"] if os.name == "posix" else len(calls) == 2
    assert result.status == "ok" and result.attempts == 2
    assert (tmp_path / "02_beta.html").is_file()


def test_worker_never_retries_a_notebook_error(tmp_path, monkeypatch):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    calls = []

    def fake(input_path, output_path, **kwargs):
        calls.append(1)
        nbformat.write(nbformat.read(input_path, as_version=4), output_path)
        raise PapermillExecutionError(5, 4, "raise", "ValueError", "planted", [])

    monkeypatch.setattr(papermill, "execute_notebook", fake)
    result = execute_one(_task(tmp_path, BETA))
    assert len(calls) == 1 and result.status == "failed"
    assert result.error == PageError("ValueError", "planted", cell_index=5, execution_count=4)


def test_worker_unknown_kernel_fails_with_a_hint(tmp_path):
    result = execute_one(_task(tmp_path, BETA, kernel="no-such-kernel-xyz"))
    assert result.status == "failed" and result.attempts == 1
    assert result.error.ename == "NoSuchKernel"
    assert "make setup" in result.error.evalue
    page = (tmp_path / "02_beta.html").read_text()
    assert "could not run" in page and "This notebook failed" in page


def test_params_lists_every_parameter_with_type_default_and_help(capsys):
    from cxreport.cli import main

    assert main(["params", "csi"]) == 0
    out = capsys.readouterr().out
    assert "04_csi" in out and "01_swot" not in out
    assert "n_boot: int = 1000" in out and "bootstrap" in out
    assert 'id_key: str = ""  [set by cxreport run]' in out


@pytest.mark.parametrize(
    ("param", "value", "notebook", "message"),
    [
        ("weights_from", "votes", "01_swot", "weights_from"),
        ("k", "1", "02_segments", "'k' parameter"),
        ("policy", "cheapest", "03_churn", "'policy' parameter of 03_churn must be one of"),
        ("acceptance_rate", "1.5", "03_churn", "acceptance_rate"),
        ("crosshair", "median", "04_csi", "crosshair"),
        ("min_responses", "0", "05_nps_sqi", "min_responses"),
    ],
)
def test_bad_values_fail_before_any_kernel_starts(tmp_path, param, value, notebook, message):
    from cxreport.errors import ParameterError
    from cxreport.report.run import run_report

    out = tmp_path / "reports"
    with pytest.raises(ParameterError, match=message) as err:
        run_report(
            data_dir=ROOT / "data" / "sample",
            month="2026-10",
            out=out,
            params={param: value},
            stream=io.StringIO(),
            tty=False,
        )
    assert f"parameter of {notebook} must be" in str(err.value)
    assert not out.exists()  # nothing written: no kernel, no key file, no folder


# ------------------------------------------------------------------ one segmentation per run


def test_a_page_asking_for_segments_waits_for_the_segmentation_page(tmp_path):
    import threading
    import time

    import pandas as pd

    from cxreport.report import segment_labels
    from cxreport.segments import Yardstick

    labels = pd.Series(["a", "b"], index=pd.Index(["C1", "C2"], name="customer_id"))
    ruler = Yardstick(("recency",), (), [1.0], [2.0], [[0.0], [1.0]], {0: "a", 1: "b"})
    started, order = threading.Event(), []

    class Result:
        def labels(self):
            return labels

        def yardstick(self):
            return ruler

    def segmentation_page():
        def compute():
            started.set()
            time.sleep(0.5)
            order.append("segmentation page")
            return Result()

        segment_labels.computed(tmp_path, "k", compute)

    page = threading.Thread(target=segmentation_page)
    page.start()
    started.wait(5)

    def recompute():
        order.append("another page computed them again")
        return Result()

    got = segment_labels.labels(tmp_path, "k", recompute)
    page.join()
    assert order == ["segmentation page"]  # waited on the lock, then read the kept labels
    assert got.to_dict() == labels.to_dict()
    assert segment_labels.yardstick(tmp_path, "k", recompute) == ruler  # and its yardstick


def test_the_segmentation_page_starts_first_then_the_longest(tmp_path):
    from cxreport.report.execute import run_order

    names = ["01_swot", "02_segments", "03_churn", "04_csi", "05_nps_sqi", "06_complaints", "x"]
    # a first run: the declared costs (churn is longer than SWOT), an unknown notebook last
    assert run_order(names, tmp_path) == [
        "02_segments", "03_churn", "01_swot", "04_csi", "05_nps_sqi", "06_complaints", "x"
    ]  # fmt: skip
    # then the times of the last report, whatever the declared costs say
    times = {"06_complaints": 300, "x": 200, "02_segments": 1, "01_swot": 100}
    rows = [{"name": n, "duration_s": s} for n, s in times.items()]
    (tmp_path / "2026-09").mkdir()
    (tmp_path / "2026-09" / "manifest.json").write_text(json.dumps({"notebooks": rows}))
    assert run_order(names, tmp_path)[:4] == ["02_segments", "06_complaints", "x", "01_swot"]


def test_kernels_get_the_cores_shared_out_unless_the_user_chose(monkeypatch):
    from cxreport.report.execute import THREAD_VARIABLES, thread_caps

    for k in THREAD_VARIABLES:
        monkeypatch.delenv(k, raising=False)
    assert thread_caps(1) == {k: "1" for k in THREAD_VARIABLES}
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert "OMP_NUM_THREADS" not in thread_caps(1)
    assert thread_caps(0) == {}


@pytest.mark.parametrize(("month", "where"), [("2030-01", "after the data ends"),
                                              ("2020-01", "before the data begins")])  # fmt: skip
def test_a_month_outside_the_data_fails_before_any_kernel(tmp_path, month, where):
    from cxreport.errors import ParameterError
    from cxreport.report.run import run_report

    out = tmp_path / "reports"
    with pytest.raises(ParameterError) as err:
        run_report(
            data_dir=ROOT / "data" / "sample",
            month=month,
            out=out,
            stream=io.StringIO(),
            tty=False,
        )
    msg = str(err.value)
    assert f"no data in {month}, {where}" in msg
    assert "transactions from 2025-05 to 2026-10" in msg and "--month 2026-10" in msg
    assert not out.exists()


def test_a_snapshot_folder_takes_any_month(tmp_path):
    from cxreport.data.folder import check_month

    check_month({"customers": pd.DataFrame({"customer_id": ["a"]})}, "2030-01")


# ------------------------------------------------------------------- signals, no real kernel


@pytest.mark.parametrize(
    "flags, level", [([], logging.INFO), (["-v"], logging.DEBUG), (["--quiet"], logging.WARNING)]
)
def test_run_verbose_and_quiet_set_the_console_level(tmp_path, monkeypatch, capsys, flags, level):
    seen = {}

    def fake(**kwargs):
        seen.update(kwargs)
        return report_run.RunResult("2026-10", tmp_path / "2026-10", "ok", [])

    monkeypatch.setattr(report_run, "run_report", fake)
    argv = ["run", "--data", "d", "--month", "2026-10", "--out", str(tmp_path), *flags]
    assert main(argv) == 0
    assert seen["log_level"] == level
    assert capsys.readouterr().out.splitlines()[-1] == f"Report: {tmp_path / '2026-10/index.html'}"


def test_verbose_and_quiet_exclude_each_other(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--data", "d", "--month", "2026-10", "--out", "o", "-v", "-q"])
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize(
    "signum, code, line",
    [
        (signal.SIGINT, 130, "cxreport run: interrupted"),
        (signal.SIGTERM, 143, "cxreport run: terminated (SIGTERM)"),
    ],
)
def test_a_stopped_run_exits_128_plus_the_signal_with_one_line(
    monkeypatch, capsys, signum, code, line
):
    def stopped(**kwargs):
        raise Interrupted(signum)

    monkeypatch.setattr(report_run, "run_report", stopped)
    assert main(["run", "--data", "d", "--month", "2026-10", "--out", "o"]) == code
    captured = capsys.readouterr()
    assert captured.err == line + "\n" and captured.out == ""


def _signal_me(signum: int) -> None:
    """Signal this thread: delivered before the call returns (a signal to the process could
    go to another thread of the test run and land later)."""
    if not hasattr(signal, "pthread_kill"):
        pytest.skip("no thread-directed signals here")
    signal.pthread_kill(threading.get_ident(), signum)


def test_a_signal_in_a_held_section_waits_for_its_end():
    reached = []
    with pytest.raises(Interrupted) as stopped, signals.handled():
        with signals.held():
            _signal_me(signal.SIGTERM)
            reached.append("after the signal")  # not cut short
            _signal_me(signal.SIGINT)  # a second one changes nothing
            reached.append("the end of the section")
    assert reached == ["after the signal", "the end of the section"]
    assert stopped.value.signum == signal.SIGTERM and stopped.value.exit_code == 143
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # put back


def test_a_signal_outside_held_sections_raises_at_once_and_check_raises_a_noted_one():
    with pytest.raises(Interrupted) as stopped, signals.handled():
        _signal_me(signal.SIGINT)
        raise AssertionError("not reached")
    assert stopped.value.exit_code == 130
    with signals.handled(), signals.held():
        _signal_me(signal.SIGINT)
        with pytest.raises(Interrupted):
            signals.check()
        signals.check()  # raised once only


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no signal masks here")
def test_a_signal_while_blocked_is_delivered_at_the_end():
    with signals.handled(), signals.held():
        with signals.blocked():
            # to this thread (another thread of the process, unblocked, could take os.kill's)
            signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
            assert signals._trap.pending is None  # not yet delivered
        with pytest.raises(Interrupted):
            signals.check()


# ----------------------------------------------------------------------------- one run a month


def _run_argv(out: Path, month: str = "2026-10") -> list[str]:
    return ["run", "--data", str(ROOT / "data" / "sample"), "--month", month, "--out", str(out),
            "--notebooks", str(FIXTURES)]  # fmt: skip


def _hold_month(out: Path, month: str, pid: int) -> int:
    """What a live run holds: the month's lock file, locked, with its pid."""
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / f".{month}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, f"{pid}\n".encode())
    return fd


def test_a_second_run_of_the_month_is_refused_at_once(tmp_path, capsys, no_kernels):
    pytest.importorskip("fcntl")
    out = tmp_path / "out"
    fd = _hold_month(out, "2026-10", 4242)
    try:
        code = main(_run_argv(out))
    finally:
        os.close(fd)
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.strip() == (
        f"cxreport run: another cxreport run of 2026-10 into {out} is running (pid 4242); "
        "wait for it or use another --out."
    )
    # refused before anything was written: no key, no work folder
    assert sorted(p.name for p in out.iterdir()) == [".2026-10.lock"]


def test_another_month_runs_beside_a_live_run(tmp_path, no_kernels, capsys):
    pytest.importorskip("fcntl")
    out = tmp_path / "out"
    fd = _hold_month(out, "2026-10", 4242)
    try:
        # past the lock and the data check, up to the kernels (which no_kernels refuses:
        # the command line reports that as one line, exit 1)
        assert main(_run_argv(out, "2026-09")) == 1
        assert "a kernel would have started" in capsys.readouterr().err
    finally:
        os.close(fd)
    assert not (out / ".2026-09.lock").exists()  # gone with the run


def test_the_month_lock_of_a_live_process_refuses_and_goes_with_it(tmp_path):
    pytest.importorskip("fcntl")
    out = tmp_path / "out"
    out.mkdir()
    # a process that holds the month as a run does, and says so once it does
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, pathlib\nfrom cxreport.report.run import lock_month\n"
         f"lock_month(pathlib.Path({str(out)!r}), '2026-10')\n"
         "print('locked', flush=True)\nsys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(CxReportError, match=rf"of 2026-10 into .* \(pid {holder.pid}\); wait"):
            lock_month(out, "2026-10")
        unlock_month(out, "2026-09", lock_month(out, "2026-09"))  # another month: free
    finally:
        holder.kill()  # SIGKILL: the process cannot clean up; the system drops its lock
        holder.wait()
    fd = lock_month(out, "2026-10")
    assert (out / ".2026-10.lock").read_text() == f"{os.getpid()}\n"
    unlock_month(out, "2026-10", fd)
    assert not (out / ".2026-10.lock").exists()


# ----------------------------------------------------------------------------- --only


def _previous_report(folder: Path) -> None:
    folder.mkdir(parents=True)
    rows = [
        {"name": "01_a", "notebook": "01_a.ipynb", "html": "01_a.html", "ipynb": "01_a.ipynb",
         "status": "ok", "exported": ["a.csv", "shared.csv"]},
        {"name": "02_b", "notebook": "02_b.ipynb", "html": "02_b.html", "ipynb": "02_b.ipynb",
         "status": "failed", "exported": ["b.csv"], "generated": "2026-11-01T09:00:00"},
    ]  # fmt: skip
    manifest = {"generated": "2026-11-02T10:00:00", "notebooks": rows,
                "parameters": {"01_a": {"seed": 1}, "02_b": {"seed": 2}}}  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest))
    metrics = {
        "metrics": [{"name": "a", "notebook": "01_a"}, {"name": "b", "notebook": "02_b"}],
        "notebooks": {"01_a": {"title": "A"}, "02_b": {"title": "B"}},
    }
    (folder / "metrics.json").write_text(json.dumps(metrics))
    for name in ("01_a.html", "01_a.ipynb", "a.csv", "shared.csv", "02_b.html", "02_b.ipynb",
                 "b.csv", "model.joblib", "index.html", "run.log", "new.csv"):  # fmt: skip
        (folder / name).write_text(f"old {name}")


def test_a_partial_run_keeps_what_the_other_notebooks_made(tmp_path):
    from cxreport.report.partial import keep_previous

    previous, tmp = tmp_path / "2026-10", tmp_path / ".2026-10.tmp-1"
    _previous_report(previous)
    tmp.mkdir()
    for name in ("01_a.html", "01_a.ipynb", "new.csv", "run.log"):  # what the new run wrote
        (tmp / name).write_text(f"new {name}")
    kept = keep_previous(previous, tmp, {"01_a"})
    # 01_a's old files go (shared.csv too: it no longer exports it); 02_b's and the model stay
    assert sorted(kept.files) == ["02_b.html", "02_b.ipynb", "b.csv", "model.joblib"]
    assert sorted(p.name for p in tmp.iterdir()) == [
        "01_a.html", "01_a.ipynb", "02_b.html", "02_b.ipynb", "b.csv", "model.joblib",
        "new.csv", "run.log",
    ]  # fmt: skip
    assert (tmp / "new.csv").read_text() == "new new.csv"  # the new run's file wins
    assert (tmp / "b.csv").read_text() == "old b.csv"
    assert [r["name"] for r in kept.rows] == ["02_b"]
    assert kept.rows[0]["generated"] == "2026-11-01T09:00:00"
    assert kept.metrics == [{"name": "b", "notebook": "02_b"}]
    assert kept.payloads == {"02_b": {"title": "B", "generated": "2026-11-01T09:00:00"}}
    assert kept.parameters == {"02_b": {"seed": 2}}
    # a row without its own time stamp (an older cxreport) takes the report's
    (tmp_path / "empty").mkdir()
    kept = keep_previous(previous, tmp_path / "empty", {"02_b"})
    assert kept.rows[0]["generated"] == "2026-11-02T10:00:00"


def test_a_partial_run_without_a_readable_report_keeps_nothing(tmp_path):
    from cxreport.report.partial import keep_previous

    assert keep_previous(tmp_path / "2026-10", tmp_path, {"01_a"}) is None
    (tmp_path / "2026-10").mkdir()
    (tmp_path / "2026-10" / "manifest.json").write_text("{broken")
    assert keep_previous(tmp_path / "2026-10", tmp_path, {"01_a"}) is None
