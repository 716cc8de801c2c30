"""Reading speed and memory of ``cxreport.data.validate(folder)`` on real-export shapes (prints
figures and ratios; asserts nothing).

    .venv/bin/python benchmarks/bench_read.py [--xlsx-rows 1000000] [--csv-rows 10000000]
    .venv/bin/python benchmarks/bench_read.py --xlsx-rows 100000 --csv-rows 1000000 --profile

Two data folders shaped like the UCI Online Retail export (InvoiceNo with about 1.7 % 'C'
cancellations, StockCode with about 0.4 % POST/M/D lines, Description, Quantity, InvoiceDate,
UnitPrice, CustomerID as a float with about 25 % blanks, Country), generated deterministically
with numpy:

* ``xlsx``: one ``orders.xlsx`` (openpyxl write-only mode; real Excel datetimes, numeric
  InvoiceNo/StockCode cells where the code is a number, as in the UCI file) of ``--xlsx-rows``
  order lines over two sheets that overlap by ``--overlap`` rows, read through
  ``files: [{file: orders.xlsx, sheet: ...}, ...]``;
* ``csv``: ``--csv-rows`` order lines over ``--csv-months`` monthly files ``orders_YYYY-MM.csv``
  (ISO datetimes, CustomerID written as ``17850.0``), read through ``files: ["orders_*.csv"]``;

both with ``derive: {amount: Quantity * UnitPrice}``, ``drop_rows: {customer_id: missing,
StockCode: [POST, M, D]}`` and a ``columns:`` mapping. Generation time is printed apart; it is
not what is measured.

Each case runs in a fresh child process, so that its peak resident memory (``ru_maxrss``) is
its own: cxreport's whole read/shape/check (``read_folder``, of which ``validate`` is the
report), and for comparison plain ``pandas.read_excel(engine="calamine")`` of both sheets,
plain ``pandas.read_csv`` of the monthly files, and ``read_csv`` with the options cxreport
passes (every cell as text), each concatenated into one frame. Rows per second count the rows
in the files (the xlsx overlap included). ``--profile`` adds a cProfile run of each cxreport
case (in its own child) with the time per step of read/shape/validate. ``--keep DIR``
generates the files into DIR (or reuses them when they match the options) and leaves them.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

COLUMNS = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]
SHEETS = ("Part 1", "Part 2")
SHAPING = """\
    derive:
      amount: Quantity * UnitPrice
    drop_rows:
      customer_id: missing
      StockCode: [POST, M, D]
    columns:
      customer_id: CustomerID
      date: InvoiceDate
      order_id: InvoiceNo
"""
XLSX_YAML = f"""\
tables:
  transactions:
    files:
      - {{file: orders.xlsx, sheet: "{SHEETS[0]}"}}
      - {{file: orders.xlsx, sheet: "{SHEETS[1]}"}}
{SHAPING}"""
CSV_YAML = f"""\
tables:
  transactions:
    files: ["orders_*.csv"]
{SHAPING}"""

_ADJ = [
    "WHITE",
    "RED",
    "PINK",
    "BLUE",
    "GREEN",
    "IVORY",
    "VINTAGE",
    "RETRO",
    "JUMBO",
    "REGENCY",
    "PAPER",
    "GLASS",
    "WOODEN",
    "ZINC",
    "SET OF 3",
    "SET OF 6",
    "SMALL",
    "LARGE",
    "HANGING",
    "ANTIQUE",
]
_MOTIF = [
    "HEART",
    "POLKADOT",
    "FLORAL",
    "SPOTTY",
    "STRIPE",
    "LOVE",
    "CHRISTMAS",
    "BIRD",
    "ROSE",
    "PAISLEY",
    "DOLLY GIRL",
    "SPACEBOY",
    "SKULL",
    "CHERRY",
    "LEAF",
    "STAR",
    "OWL",
    "RABBIT",
    "BUNNY",
    "CAT",
]
_THING = [
    "T-LIGHT HOLDER",
    "LANTERN",
    "MUG",
    "JUMBO BAG",
    "CAKE TIN",
    "DOORMAT",
    "BUNTING",
    "NAPKINS",
    "CANDLE",
    "METAL SIGN",
    "WALL CLOCK",
    "TEACUP AND SAUCER",
    "COOKIE JAR",
    "STORAGE BOX",
    "CUSHION COVER",
    "LUNCH BOX",
    "ALARM CLOCK",
    "PURSE",
    "NOTEBOOK",
    "WALL ART",
]
_COUNTRIES = [
    "Germany",
    "France",
    "EIRE",
    "Spain",
    "Netherlands",
    "Belgium",
    "Switzerland",
    "Portugal",
    "Australia",
    "Norway",
    "Italy",
    "Channel Islands",
    "Finland",
    "Cyprus",
    "Sweden",
    "Austria",
    "Denmark",
    "Japan",
    "Poland",
    "USA",
]
_SPECIAL = [("POST", "POSTAGE", 0.0025), ("M", "Manual", 0.001), ("D", "Discount", 0.0005)]


# -- generation ---------------------------------------------------------------------------------


def orders(n: int, start: str, end: str, seed: int) -> dict:
    """``n`` order lines between ``start`` and ``end``, sorted by time: per-row index arrays
    into per-invoice and per-product tables (cheap to turn into cells either way)."""
    rng = np.random.default_rng(seed)
    # products: 5-digit codes, 15 % with a letter suffix (85123A), then POST, M, D
    k = 4000
    nums = rng.choice(np.arange(10002, 90000), k, replace=False)
    suffix = np.where(rng.random(k) < 0.15, rng.integers(0, 5, k), -1)
    code_obj = [int(c) if s < 0 else f"{c}{'ABCDE'[s]}" for c, s in zip(nums, suffix, strict=True)]
    desc = [
        f"{_ADJ[a]} {_MOTIF[b]} {_THING[c]}"
        for a, b, c in zip(
            rng.integers(0, 20, k), rng.integers(0, 20, k), rng.integers(0, 20, k), strict=True
        )
    ]
    price = np.clip(np.round(np.exp(rng.normal(0.6, 0.8, k)), 2), 0.1, None)
    code_obj += [c for c, _, _ in _SPECIAL]
    desc += [d for _, d, _ in _SPECIAL]
    # invoices: about 20 lines each, 1.7 % cancelled, 25 % without a customer
    sizes = rng.geometric(1 / 20, n // 20 + 1000)
    m = int(np.searchsorted(np.cumsum(sizes), n)) + 1
    inv = np.repeat(np.arange(m), sizes[:m])[:n]
    days = int((np.datetime64(end) - np.datetime64(start)) // np.timedelta64(1, "D"))
    minute = np.sort(rng.integers(0, days, m) * 1440 + rng.integers(8 * 60, 18 * 60, m))
    inv_time = np.datetime64(start, "m") + minute.astype("timedelta64[m]")
    cancelled = rng.random(m) < 0.017
    n_cust = max(1000, n // 120)
    w = 1 / (np.arange(n_cust) + 5.0) ** 0.8
    cust = rng.choice(n_cust, m, p=w / w.sum())
    cust_country = np.where(rng.random(n_cust) < 0.91, -1, rng.choice(20, n_cust, p=_zipf(20)))
    blank = rng.random(m) < 0.25
    inv_country = np.where(
        blank, np.where(rng.random(m) < 0.95, -1, rng.integers(0, 20, m)), cust_country[cust]
    )
    # lines
    w = 1 / (np.arange(k) + 20.0)
    code = rng.choice(k, n, p=w / w.sum())
    u = rng.random(n)
    cut = np.cumsum([p for _, _, p in _SPECIAL])
    for j in range(len(_SPECIAL)):
        code[(u >= (cut[j - 1] if j else 0)) & (u < cut[j])] = k + j
    qty_vals = np.array([1, 2, 3, 4, 6, 8, 10, 12, 24, 48, 96, 144])
    qty_p = np.array([30, 15, 8, 7, 8, 4, 5, 13, 5, 2, 2, 1], float)
    qty = rng.choice(qty_vals, n, p=qty_p / qty_p.sum())
    unit = np.concatenate([price, [18.0, 0.0, 0.0]])[code]
    special = code >= k
    unit[special & (code != k)] = np.round(
        rng.lognormal(1.5, 1.0, int((special & (code != k)).sum())), 2
    )
    qty[code == k + 2] = -1
    qty = np.where(cancelled[inv], -qty, qty)
    return {
        "n": n,
        "m": m,
        "inv": inv,
        "inv_time": inv_time,
        "cancelled": cancelled,
        "inv_cust": np.where(blank, -1, cust),
        "inv_country": inv_country,
        "code": code,
        "code_obj": code_obj,
        "desc": desc,
        "qty": qty,
        "unit": unit,
    }


def _zipf(k: int) -> np.ndarray:
    w = 1 / (np.arange(k) + 1.0)
    return w / w.sum()


def _country_names() -> list[str]:
    return [*_COUNTRIES, "United Kingdom"]  # index -1 = United Kingdom


def write_xlsx(folder: Path, n: int, overlap: int, seed: int) -> dict:
    import openpyxl

    o = orders(n, "2010-12-01", "2011-12-10", seed)
    inv_no = np.array(
        [f"C{536365 + i}" if c else 536365 + i for i, c in enumerate(o["cancelled"])], dtype=object
    )
    cust = np.array([None if c < 0 else float(12346 + c) for c in o["inv_cust"]], dtype=object)
    when = o["inv_time"].astype("datetime64[s]").astype(object)  # datetime.datetime
    cols = [
        inv_no[o["inv"]].tolist(),
        np.array(o["code_obj"], dtype=object)[o["code"]].tolist(),
        np.array(o["desc"], dtype=object)[o["code"]].tolist(),
        o["qty"].tolist(),
        when[o["inv"]].tolist(),
        o["unit"].tolist(),
        cust[o["inv"]].tolist(),
        np.array(_country_names(), dtype=object)[o["inv_country"][o["inv"]]].tolist(),
    ]
    half = n // 2
    wb = openpyxl.Workbook(write_only=True)
    for name, (lo, hi) in zip(SHEETS, [(0, half + overlap), (half, n)], strict=True):
        ws = wb.create_sheet(name)
        ws.append(COLUMNS)
        for row in zip(*(c[lo:hi] for c in cols), strict=True):
            ws.append(row)
    wb.save(folder / "orders.xlsx")
    (folder / "cxreport.yaml").write_text(XLSX_YAML, encoding="utf-8")
    return {"rows_in_files": n + overlap}


def write_csv(folder: Path, n: int, months: int, seed: int) -> dict:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    start = np.datetime64("2011-01", "M")
    o = orders(
        n, str(start.astype("datetime64[D]")), str((start + months).astype("datetime64[D]")), seed
    )
    inv_no = pa.array(
        [f"C{536365 + i}" if c else str(536365 + i) for i, c in enumerate(o["cancelled"])],
        pa.string(),
    )
    cust = pa.array([None if c < 0 else f"{12346 + c}.0" for c in o["inv_cust"]], pa.string())
    code = pa.array([str(c) for c in o["code_obj"]], pa.string())
    desc = pa.array(o["desc"], pa.string())
    country = pa.array(_country_names(), pa.string())
    row_time = o["inv_time"][o["inv"]]
    month = row_time.astype("datetime64[M]")
    bounds = np.searchsorted(month, start + np.arange(months + 1))
    opts = pcsv.WriteOptions(include_header=False, quoting_style="needed")
    for j in range(months):
        lo, hi = bounds[j], bounds[j + 1]
        idx = pa.array(o["inv"][lo:hi])
        table = pa.table(
            {
                "InvoiceNo": inv_no.take(idx),
                "StockCode": code.take(pa.array(o["code"][lo:hi])),
                "Description": desc.take(pa.array(o["code"][lo:hi])),
                "Quantity": pa.array(o["qty"][lo:hi]),
                "InvoiceDate": pa.array(row_time[lo:hi].astype("datetime64[s]")),
                "UnitPrice": pa.array(o["unit"][lo:hi]),
                "CustomerID": cust.take(idx),
                "Country": country.take(pa.array(o["inv_country"][o["inv"][lo:hi]] % 21)),
            }
        )
        with pa.OSFile(str(folder / f"orders_{start + j}.csv"), "wb") as f:
            f.write((",".join(COLUMNS) + "\n").encode())
            pcsv.write_csv(table, f, opts)
    (folder / "cxreport.yaml").write_text(CSV_YAML, encoding="utf-8")
    return {"rows_in_files": n}


# -- measuring (child processes) ----------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(case: str, folder: Path) -> dict:
    import pandas as pd

    from cxreport.data import read_folder
    from cxreport.data.readers import NA_VALUES

    out: dict = {}
    if case == "cxreport":
        # one-off cost outside the figures: load_config imports jsonschema, whose
        # rfc3987_syntax dependency builds a lark grammar at import (about 2 s)
        t0 = time.perf_counter()
        import jsonschema  # noqa: F401

        out["jsonschema_import_s"] = time.perf_counter() - t0
    base = _peak_mb()
    t0 = time.perf_counter()
    if case == "cxreport":
        tables, _, _, report = read_folder(folder)  # validate(folder) is this call's report
        frame = tables.get("transactions")
        out.update(ok=report.ok, errors=[p.format() for p in report.errors][:5], notes=report.notes)
    elif case == "read_excel":
        sheets = pd.read_excel(folder / "orders.xlsx", sheet_name=list(SHEETS), engine="calamine")
        frame = pd.concat(sheets.values(), ignore_index=True)
    elif case in ("read_csv", "read_csv_text"):
        kw = (
            {
                "dtype": str,
                "keep_default_na": False,
                "na_values": NA_VALUES,
                "skipinitialspace": True,
            }
            if case == "read_csv_text"
            else {}
        )
        frame = pd.concat(
            [pd.read_csv(p, **kw) for p in sorted(folder.glob("orders_*.csv"))], ignore_index=True
        )
    else:
        raise SystemExit(f"unknown case {case}")
    out["wall_s"] = time.perf_counter() - t0
    out["peak_mb"] = _peak_mb()
    out["base_mb"] = base
    out["rows_out"] = 0 if frame is None else len(frame)
    out["frame_mb"] = 0.0 if frame is None else frame.memory_usage(deep=True).sum() / 1e6
    return out


STEPS = [  # (label, file suffix, function): cumulative time of each step of read_folder
    ("read files (all parts)", "data/folder.py", "_read_parts"),
    ("  pandas.read_excel", "io/excel/_base.py", "read_excel"),
    ("  pandas.read_csv", "parsers/readers.py", "read_csv"),
    ("  decode bytes", "data/readers.py", "_decode"),
    ("  _tidy (Excel cells)", "data/readers.py", "_tidy"),
    ("concat + cross-file dedup", "data/shaping.py", "concat"),
    ("derive", "data/shaping.py", "derive"),
    ("drop_rows", "data/shaping.py", "drop_rows"),
    ("rename (columns:)", "data/folder.py", "_rename"),
    ("coerce types", "data/folder.py", "_coerce"),
    ("  numbers", "data/folder.py", "_to_number"),
    ("  dates", "data/folder.py", "_to_date"),
    ("check_schema (pandera)", "data/validation.py", "check_schema"),
    ("check_references", "data/validation.py", "check_references"),
    ("read_folder total", "data/folder.py", "read_folder"),
]


def profile(folder: Path) -> dict:
    import cProfile
    import pstats

    import jsonschema  # noqa: F401  (the one-off import, see measure)

    from cxreport.data import read_folder

    prof = cProfile.Profile()
    prof.enable()
    read_folder(folder)
    prof.disable()
    st = pstats.Stats(prof).stats
    steps = []
    for label, suffix, func in STEPS:
        cum = sum(v[3] for (f, _, fn), v in st.items() if fn == func and f.endswith(suffix))
        if cum >= 0.05 or (cum and not label.startswith(" ")):
            steps.append((label, cum))
    top = sorted(
        (
            (v[2], f"{Path(f).parent.name}/{Path(f).name}:{ln}({fn})")
            for (f, ln, fn), v in st.items()
        ),
        reverse=True,
    )[:12]
    return {"steps": steps, "top": top}


# -- driver ---------------------------------------------------------------------------------------


def _child(*args: str) -> dict:
    res = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if res.returncode:
        raise SystemExit(f"child {args} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _prepare(folder: Path, kind: str, params: dict) -> tuple[dict, bool]:
    stamp = folder / "generated.json"
    if stamp.is_file() and json.loads(stamp.read_text())["params"] == params:
        return json.loads(stamp.read_text()), False
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    got = _child("--child", f"gen-{kind}", "--dir", str(folder), "--params", json.dumps(params))
    stamp.write_text(json.dumps(got))
    return got, True


def _line(name: str, r: dict, rows_in: int, file_mb: float) -> str:
    return (
        f"  {name:<30} {r['wall_s']:7.1f} s  {rows_in / r['wall_s'] / 1e3:8,.0f} k rows/s  "
        f"peak RSS {r['peak_mb']:7,.0f} MB (+{r['peak_mb'] - r['base_mb']:,.0f} over "
        f"imports)  frame {r['frame_mb']:6,.0f} MB  peak/file {r['peak_mb'] / file_mb:4.1f}"
        f"  peak/frame {r['peak_mb'] / max(r['frame_mb'], 1e-9):4.1f}"
    )


def run_case(kind: str, folder: Path, gen: dict, baselines: list[str], want_profile: bool):
    files = [folder / "orders.xlsx"] if kind == "xlsx" else sorted(folder.glob("orders_*.csv"))
    file_mb = sum(p.stat().st_size for p in files) / 1e6
    rows_in = gen["rows_in_files"]
    print(
        f"{kind}: {len(files)} file(s), {file_mb:,.0f} MB, {rows_in:,} rows in the files "
        f"(generated in {gen['gen_s']:.1f} s, not measured)",
        flush=True,
    )
    cx = _child("--child", "cxreport", "--dir", str(folder))
    print(_line("cxreport validate/read_folder", cx, rows_in, file_mb), flush=True)
    print(
        f"    -> {cx['rows_out']:,} transactions, report ok={cx['ok']}; not in the figures: "
        f"import jsonschema {cx['jsonschema_import_s']:.1f} s, once per process"
    )
    for text in cx["errors"]:
        print("    error:", text.splitlines()[0])
    for text in cx["notes"]:
        if not text.startswith("not present"):
            print("    note:", text)
    for case in baselines:
        r = _child("--child", case, "--dir", str(folder))
        print(_line(f"pandas {case}", r, rows_in, file_mb), flush=True)
        print(
            f"    cxreport / {case}: time x{cx['wall_s'] / r['wall_s']:.1f}, peak RSS "
            f"x{cx['peak_mb'] / r['peak_mb']:.1f} (over imports "
            f"x{(cx['peak_mb'] - cx['base_mb']) / max(r['peak_mb'] - r['base_mb'], 1):.1f})",
            flush=True,
        )
    if want_profile:
        p = _child("--child", "profile", "--dir", str(folder))
        total = dict(p["steps"]).get("read_folder total", np.nan)
        print("  cProfile of cxreport's read_folder (profiler overhead included):")
        for label, cum in p["steps"]:
            print(f"    {label:<28} {cum:7.1f} s  {cum / total:5.0%}")
        print("  top functions by own time:")
        for own, where in p["top"]:
            print(f"    {own:7.1f} s  {where}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--xlsx-rows", type=int, default=1_000_000)
    ap.add_argument("--csv-rows", type=int, default=10_000_000)
    ap.add_argument("--overlap", type=int, default=5_000, help="rows both sheets hold")
    ap.add_argument("--csv-months", type=int, default=4, help="monthly CSV files")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--only", choices=("xlsx", "csv"), help="run one of the two cases")
    ap.add_argument("--profile", action="store_true", help="add a cProfile run of cxreport")
    ap.add_argument("--keep", type=Path, help="generate into (or reuse) this folder; keep it")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--params", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        t0 = time.perf_counter()
        if a.child.startswith("gen-"):
            p = json.loads(a.params)
            got = (
                write_xlsx(a.dir, p["rows"], p["overlap"], p["seed"])
                if a.child == "gen-xlsx"
                else write_csv(a.dir, p["rows"], p["months"], p["seed"])
            )
            out = {**got, "gen_s": time.perf_counter() - t0, "params": p}
        elif a.child == "profile":
            out = profile(a.dir)
        else:
            out = measure(a.child, a.dir)
        print(json.dumps(out))
        return
    root = a.keep or Path(tempfile.mkdtemp(prefix="cxread-"))
    import pandas as pd

    print(f"python {sys.version.split()[0]}, pandas {pd.__version__}, numpy {np.__version__}")
    try:
        if a.only != "csv":
            overlap = min(a.overlap, a.xlsx_rows // 10)
            params = {"rows": a.xlsx_rows, "overlap": overlap, "seed": a.seed}
            gen, _ = _prepare(root / "xlsx", "xlsx", params)
            run_case("xlsx", root / "xlsx", gen, ["read_excel"], a.profile)
        if a.only != "xlsx":
            params = {"rows": a.csv_rows, "months": a.csv_months, "seed": a.seed}
            gen, _ = _prepare(root / "csv", "csv", params)
            run_case("csv", root / "csv", gen, ["read_csv", "read_csv_text"], a.profile)
    finally:
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
