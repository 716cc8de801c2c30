"""The report's other forms: CSV exports that open right in Excel, ``report.xlsx``, the
one-file ``report.html`` and ``report.pdf`` (``cxreport run --pdf``).

Two module-scoped runs: the tiny notebooks of ``tests/fixtures/formats`` (every kind of cell,
a table wider and one longer than a page, two pages with the same heading) and the real
``02_segments`` and ``05_nps_sqi`` on ``data/sample`` (the units their exports declare). Both
print the PDF when Chromium is installed; the PDF tests skip, with the reason, when it is not.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from test_runner import tags

from cxreport import cli, pseudonymise
from cxreport.errors import ParameterError
from cxreport.report import exports, pdf
from cxreport.report.context import Run
from cxreport.report.run import run_report
from cxreport.report.workbook import sheet_names, write_workbook

from conftest import ROOT, SAMPLE

FORMATS = ROOT / "tests" / "fixtures" / "formats"
CHROMIUM = pdf.find_browser()
needs_browser = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium browser installed (apt-get install chromium; .ci/run does it)",
)
LONG_1 = "a_long_table_with_a_name_longer_than_31_characters_1"
LONG_2 = "a_long_table_with_a_name_longer_than_31_characters_2"


def _report(out: Path, **kwargs) -> Path:
    result = run_report(
        data_dir=SAMPLE,
        month="2026-10",
        out=out,
        jobs=2,
        pdf=CHROMIUM is not None,
        stream=io.StringIO(),
        tty=False,
        **kwargs,
    )
    assert result.status == "ok", [r.error for r in result.notebooks]
    assert result.pdf_error is None and result.exit_code == 0
    return result.folder


@pytest.fixture(scope="module")
def formats(tmp_path_factory) -> Path:
    return _report(tmp_path_factory.mktemp("formats"), notebooks_dir=FORMATS)


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    return _report(
        tmp_path_factory.mktemp("real"),
        notebooks_dir=ROOT / "notebooks",
        only=["02_segments", "05_nps_sqi"],
    )


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if CHROMIUM is None:
        pytest.skip("no chromium browser installed (apt-get install chromium; .ci/run does it)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def _exported(folder: Path) -> list[str]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [name for row in manifest["notebooks"] for name in row["exported"]]


# ------------------------------------------------------------------------------ the CSVs


def test_one_rounding_rule():
    frame = pd.DataFrame(
        {
            "score": [70.04056174551815, -0.00004, 0.0],
            "p": [2.0742893229600323e-10, np.nan, 1.0],
            "amount": [4475.049999999999, 0.004, -1036.456],
            "n": [13239, 1, 2],
            "text": ["a", "b", "c"],
            "nullable": pd.array([0.123456, None, 1e-9], dtype="Float64"),
        }
    )
    out = exports.rounded(frame, {"amount": "money"})
    assert out["score"].tolist() == [70.0406, -4e-05, 0.0]
    assert out["p"].iloc[0] == 2.074e-10 and np.isnan(out["p"].iloc[1])  # not 0
    assert out["amount"].tolist() == [4475.05, 0.0, -1036.46]
    assert out["n"].tolist() == [13239, 1, 2] and out["n"].dtype == frame["n"].dtype
    assert out["nullable"].iloc[0] == 0.1235 and pd.isna(out["nullable"].iloc[1])
    assert out["nullable"].iloc[2] == 1e-9
    assert frame["score"].iloc[0] == 70.04056174551815  # the caller's table is not changed


def test_units_are_checked_where_the_table_is_exported():
    frame = pd.DataFrame({"share": [0.5], "name": ["x"]})
    with pytest.raises(ParameterError, match=r"'share': unit 'percent' is not one of 'fraction'"):
        exports.check_units(frame, {"share": "percent"}, "t")
    with pytest.raises(ParameterError, match=r"'name' holds no numbers"):
        exports.check_units(frame, {"name": "money"}, "t")
    # a column that this month's table lacks (no complaints: no complaint_rate) is left out
    assert exports.check_units(frame, {"share": "%", "complaint_rate": "fraction"}, "t") == {
        "share": "%"
    }


def test_an_export_with_a_bom_is_read_back_next_month(tmp_path):
    """segments.csv is read back by the next month's segmentation (run.previous)."""
    frame = pd.DataFrame(
        {
            "customer_id": ["00017", "+8613800000000", "C-3"],
            "segment": ["高价值客户", "NA", "new"],
            "monetary": [1.005, 2.5, 3.0],
        }
    )
    (tmp_path / "2026-09").mkdir()
    path = tmp_path / "2026-09" / "segments.csv"
    exports.write_csv(frame, path, {"monetary": "money"})
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    run = Run(
        "t", SimpleNamespace(month=pd.Period("2026-10", "M")), 0, None, tmp_path, False, "k", {}
    )
    back = run.previous("segments")
    assert back.columns.tolist() == ["customer_id", "segment", "monetary"]  # no "\ufeff"
    assert back["customer_id"].tolist() == frame["customer_id"].tolist()  # text, unquoted
    assert back["segment"].tolist() == ["高价值客户", "NA", "new"]
    assert back["monetary"].tolist() == [1.0, 2.5, 3.0]  # 1.005 is 1.00499... in binary
    assert pd.read_csv(path).columns[0] == "customer_id"  # plain pandas reads the BOM too


def test_csv_exports_have_a_bom_and_sensible_precision(formats):
    raw = (formats / "customer_table.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    rows = _rows(formats / "customer_table.csv")
    assert rows[0] == [
        "customer_id",
        "segment",
        "share",
        "pct_promoters",
        "revenue",
        "p_value",
        "n",
        "ok",
    ]
    assert rows[1] == [
        "00017",
        "高价值客户",
        "0.1235",
        "47.7477",
        "1234.57",
        "2.074e-10",
        "1",
        "True",
    ]
    assert rows[2][2:6] == ["0.5", "10.0", "0.0", "0.5"]
    # formula-looking text stays neutralised (OWASP), the phone-number id too
    assert rows[3][:2] == ["'+8613800000000", '\'=HYPERLINK("http://x")']
    assert rows[3][5] == ""


# ------------------------------------------------------------------------- the workbook


def test_sheet_names_are_valid_and_unique():
    names = sheet_names([LONG_1, LONG_2, "contents", "x[1]:y/z", "Seg", "seg", ""])
    assert names == [
        LONG_1[:31],
        LONG_1[:29] + "~2",
        "contents~2",  # Contents is the first sheet's
        "x_1__y_z",
        "Seg",
        "seg~2",  # Excel ignores case
        "table",
    ]
    assert all(len(n) <= 31 for n in names)


def test_a_report_without_exports_has_a_contents_sheet_only(tmp_path):
    from openpyxl import load_workbook

    path = write_workbook(tmp_path / "report.xlsx", [], title="T", month="2026-10")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Contents"] and wb["Contents"]["A1"].value == "T · 2026-10"
    assert not list(tmp_path.glob("*.tmp"))


def test_a_table_longer_than_a_sheet_keeps_its_first_rows_and_says_so(tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from cxreport.report import workbook

    monkeypatch.setattr(workbook, "SHEET_ROWS", 3)
    monkeypatch.setattr(workbook, "_CHUNK_ROWS", 2)  # the cap falls inside a chunk
    csv = tmp_path / "segments.csv"
    csv.write_text("customer_id,segment\n" + "".join(f"C{i},s{i % 2}\n" for i in range(7)))
    path = write_workbook(
        tmp_path / "report.xlsx", [workbook.Table(csv, "Segments")], title="T", month="2026-10"
    )
    wb = load_workbook(path)
    rows = list(wb["segments"].iter_rows(values_only=True))
    assert rows == [("customer_id", "segment"), ("C0", "s0"), ("C1", "s1"), ("C2", "s0")]
    contents = list(wb["Contents"].iter_rows(min_row=5, values_only=True))
    assert contents == [
        (
            "segments",
            "segments.csv",
            "Segments",
            7,
            "the first 3 of 7 rows; segments.csv has them all",
        ),  # fmt: skip
    ]


def test_workbook_has_every_export_formatted_as_the_page(formats):
    from openpyxl import load_workbook

    wb = load_workbook(formats / "report.xlsx")
    assert _exported(formats) == ["customer_table.csv", f"{LONG_1}.csv", f"{LONG_2}.csv"]
    assert wb.sheetnames == ["Contents", "customer_table", LONG_1[:31], LONG_1[:29] + "~2"]
    ws = wb["customer_table"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:H4"
    header = [c.value for c in ws[1]]
    assert header == _rows(formats / "customer_table.csv")[0]
    first = dict(zip(header, ws[2], strict=True))
    assert first["customer_id"].value == "00017" and first["customer_id"].data_type == "s"
    assert first["segment"].value == "高价值客户"
    assert (first["share"].value, first["share"].number_format) == (0.1235, "0.0%")
    # a column already in percent holds the Excel percentage: 47.7477 % is 0.477477
    assert first["pct_promoters"].value == pytest.approx(0.477477)
    assert first["pct_promoters"].number_format == "0.0%"
    assert first["revenue"].value == 1234.57
    assert first["revenue"].number_format == '#,##0.00 "EUR"'  # report.currency of the sample
    assert first["p_value"].value == 2.074e-10 and first["p_value"].number_format == "General"
    assert first["ok"].value is True
    third = dict(zip(header, ws[4], strict=True))
    assert third["segment"].value == '\'=HYPERLINK("http://x")'  # text, never a formula
    assert third["segment"].data_type == "s" and third["p_value"].value is None
    widths = {k: ws.column_dimensions[k].width for k in "ABCDEFGH"}
    assert widths["B"] >= len('=HYPERLINK("http://x")') and widths["C"] < widths["B"]
    contents = [r for r in wb["Contents"].iter_rows(min_row=4, values_only=True)]
    assert contents[0] == ("Sheet", "CSV file", "Analysis", "Rows", "Note")
    assert contents[1][:4] == ("customer_table", "customer_table.csv", "Formats fixture: tables", 3)
    assert contents[3][:4] == (LONG_1[:29] + "~2", f"{LONG_2}.csv", "Formats fixture: more", 2)


def test_real_exports_keep_their_units_in_csv_and_workbook(real):
    from openpyxl import load_workbook

    exported = _exported(real)
    assert {"segments.csv", "segment_profiles.csv", "nps_by_month.csv"} <= set(exported)
    too_precise = re.compile(r"^-?\d+\.\d{5,}$")
    for name in exported:
        raw = (real / name).read_bytes()
        assert raw.startswith(codecs.BOM_UTF8), name
        cells = [c for row in _rows(real / name)[1:] for c in row]
        assert not [c for c in cells if too_precise.match(c)], name
    wb = load_workbook(real / "report.xlsx", read_only=True)
    assert wb.sheetnames == ["Contents", *(Path(n).stem for n in exported)]

    def first_row(sheet):
        rows = wb[sheet].iter_rows(min_row=1, max_row=2)
        header = [c.value for c in next(rows)]
        return dict(zip(header, next(rows), strict=True))

    profile = first_row("segment_profiles")
    assert profile["share"].number_format == "0.0%" and 0 < profile["share"].value < 1
    assert profile["revenue"].number_format == '#,##0.00 "EUR"'
    assert profile["cluster"].number_format == "General"
    nps_csv = pd.read_csv(real / "nps_by_month.csv")
    nps = first_row("nps_by_month")
    assert nps["pct_promoters"].number_format == "0.0%"
    assert nps["pct_promoters"].value == pytest.approx(nps_csv["pct_promoters"].iloc[0] / 100)
    assert nps["nps"].value == pytest.approx(nps_csv["nps"].iloc[0])  # NPS points stay points
    assert first_row("moments_of_truth")["failure_rate"].number_format == "0.0%"
    # real ids where the CSV has them (the analyst's segments table), as text
    segments = first_row("segments")
    assert segments["customer_id"].value == _rows(real / "segments.csv")[1][0]


# ---------------------------------------------------------------------- the one HTML file


def test_report_html_is_every_page_in_one_file(formats):
    page = (formats / "report.html").read_text(encoding="utf-8")
    found = tags(page)
    sections = [a["id"] for t, a in found if "cx-page" in a.get("class", "").split()]
    assert sections == ["page-index", "page-01_tables", "page-02_more"]
    ids = [a["id"] for _, a in found if "id" in a]
    assert len(ids) == len(set(ids)), "duplicate ids"
    hrefs = [a["href"] for t, a in found if t == "a" and "href" in a]
    assert not [h for h in hrefs if ".html" in h], "a link still points at a page file"
    assert all(h[1:] in ids for h in hrefs if h.startswith("#"))
    assert "#page-01_tables" in hrefs and "#page-index" in hrefs  # index → page, page → index
    # both pages have a "Summary" section: each keeps its own anchor
    assert {"01_tables--Summary", "02_more--Summary"} <= set(ids)
    pages = [(formats / f"{n}.html").read_text(encoding="utf-8") for n in ("01_tables", "02_more")]

    def images(text):
        return [a["src"] for t, a in tags(text) if t == "img" and a["src"].startswith("data:")]

    assert images(page) == [src for p in pages for src in images(p)] and images(page)
    assert [t for t, _ in found if t == "script"] == []
    assert len(page) < sum(map(len, pages))  # the pages' stylesheet once


# ------------------------------------------------------------------------------- the PDF


def _fonts(reader) -> dict[str, bool]:
    """Every font of the PDF's pages → whether its program is embedded."""
    seen = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":  # glyphs drawn in the file itself
                seen[str(font.get("/Name"))] = True
                continue
            desc = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            files = desc["/FontDescriptor"].get_object()
            seen[str(font["/BaseFont"])] = any(
                k in files for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return seen


def _a4(reader) -> bool:
    return all(
        abs(float(p.mediabox.width) - 595.3) < 1.5 and abs(float(p.mediabox.height) - 841.9) < 1.5
        for p in reader.pages
    )


@needs_browser
def test_pdf_is_the_whole_report_on_a4(formats):
    import pypdf

    reader = pypdf.PdfReader(formats / "report.pdf")
    texts = [p.extract_text() for p in reader.pages]
    n = len(texts)
    assert n >= 3 and _a4(reader)  # the index and two pages, each from a new page
    title = "Northwind Telecom - monthly CX report · Oct 2026"
    assert all(title in t and f"page {i} of {n}" in t for i, t in enumerate(texts, start=1))
    marks = ("Headline KPIs", "A table of every kind of cell.", "The same heading as on the")
    starts = [next(i for i, t in enumerate(texts) if m in t) for m in marks]
    assert starts[0] == 0 < starts[1] < starts[2]
    # the long table runs over pages, its header row repeated on each
    assert sum("long_table_marker" in t for t in texts) >= 2 and "row 149" in "".join(texts)
    fonts = _fonts(reader)
    assert fonts and all(fonts.values()), fonts


@needs_browser
def test_pdf_is_printed_from_the_scrubbed_pages(formats):
    import pypdf

    real = pd.read_csv(SAMPLE / "customers.csv", dtype=str)["customer_id"].sort_values().iloc[0]
    key = (formats.parent / ".cxreport-id-key").read_text().strip()
    shown = pseudonymise([real], key).iloc[0]
    assert f"first customer: {shown}" in (formats / "report.html").read_text(encoding="utf-8")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(formats / "report.pdf").pages)
    # as typed: with ligatures, "fi" came out as "ﬁ", and a pseudonym holding "ff" was not found
    assert f"first customer: {shown}" in text and real not in text
    assert not any("\ufb00" <= c <= "\ufb06" for c in text)  # ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ


def test_a_partial_run_rebuilds_the_one_file_report_and_workbook(formats, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(formats.parent, out)
    result = run_report(
        data_dir=SAMPLE,
        month="2026-10",
        out=out,
        only=["02_more"],
        notebooks_dir=FORMATS,
        stream=io.StringIO(),
        tty=False,
    )
    assert result.exit_code == 0
    folder = out / "2026-10"
    assert not (folder / "report.pdf").exists()  # no --pdf: the old PDF is not kept
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert '<section id="page-01_tables"' in page and '<section id="page-02_more"' in page
    from openpyxl import load_workbook

    ws = load_workbook(folder / "report.xlsx")["customer_table"]  # the kept notebook's table
    assert ws["C2"].value == 0.1235 and ws["C2"].number_format == "0.0%"  # its units kept


@needs_browser
def test_printed_layout_fits_the_page_width(formats, browser):
    overflow = """() => Array.from(document.querySelectorAll('table, img'))
      .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .map(e => e.tagName + ' ' + e.className)"""
    page = pdf.open_for_print(browser, formats / "report.html")
    assert page.evaluate(overflow) == []
    squeezed = page.evaluate(
        "() => Array.from(document.querySelectorAll('table.cx-squeeze'))"
        ".map(t => t.rows[0].innerText)"
    )
    assert len(squeezed) == 1 and "a_rather_long_column_name_0" in squeezed[0]  # only the wide one
    page.close()
    # control: the same page without the squeeze is wider than the paper
    plain = browser.new_page(viewport={"width": pdf._PRINT_WIDTH, "height": 1000})
    plain.emulate_media(media="print")
    plain.goto((formats / "report.html").as_uri(), wait_until="load")
    assert plain.evaluate(overflow) != []
    plain.close()


@needs_browser
def test_real_pages_print_with_embedded_fonts(real):
    import pypdf

    reader = pypdf.PdfReader(real / "report.pdf")
    text = "".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= 3 and _a4(reader)
    assert "Customer segmentation" in text and "NPS, service-quality index" in text
    assert all(_fonts(reader).values())


def test_no_browser_keeps_the_report_and_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pdf, "find_browser", lambda: str(tmp_path / "no-chromium"))
    args = ["run", "--data", str(SAMPLE), "--month", "2026-10", "--out", str(tmp_path / "out")]
    code = cli.main([*args, "--notebooks", str(FORMATS), "--only", "02_more", "--pdf", "-q"])
    captured = capsys.readouterr()
    said = [line for line in captured.err.splitlines() if "report.pdf" in line]

    assert code == 1
    assert len(said) == 1 and said[0].startswith("✗ report.pdf not made: --pdf needs")
    assert "apt-get install chromium" in said[0] and "Traceback" not in captured.err
    folder = tmp_path / "out" / "2026-10"
    assert {"index.html", "report.html", "report.xlsx", "02_more.html"} <= {
        p.name for p in folder.iterdir()
    }
    assert not list(folder.glob("report.pdf*"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok" and manifest["outputs"]["pdf"] is None
    assert "apt-get install chromium" in manifest["outputs"]["pdf_error"]
    assert "Report: " in captured.out
