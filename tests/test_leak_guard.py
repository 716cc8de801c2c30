"""The customer-id guard without kernels: what counts as an id, HTML, notebooks, a folder."""

from __future__ import annotations

import json
import re

import nbformat
from hypothesis import given
from hypothesis import strategies as st

from cxreport.report.context import pseudonymise
from cxreport.report.idguard import IdGuard

KEY = "k" * 64


def pseudo(value: str) -> str:
    return pseudonymise([value], KEY).iloc[0]


# ----------------------------------------------------------------------------- letter ids


def test_whole_ids_are_replaced_outside_images_only():
    guard = IdGuard(["C000001", "C000010", "A&B-7"], key=KEY)
    text = (
        "<td>C000001</td><td>C0000011</td><td>xC000010</td><td>A&amp;B-7</td>"
        '<img src="data:image/png;base64,AAAC000001AAA">'
    )
    out, n = guard.scrub(text)
    assert n == 2
    assert f"<td>{pseudo('C000001')}</td>" in out and f"<td>{pseudo('A&B-7')}</td>" in out
    assert "<td>C0000011</td>" in out and "xC000010" in out  # not whole tokens
    assert "AAAC000001AAA" in out


def test_escaped_ids_and_ids_in_markup():
    guard = IdGuard(["A&B-7", "C000001"], key=KEY)
    out, n = guard.scrub('<td title="C000001">A&amp;B-7</td> and A&B-7')
    assert n == 3
    assert out == f'<td title="{pseudo("C000001")}">{pseudo("A&B-7")}</td> and {pseudo("A&B-7")}'


# ----------------------------------------------------------------------------- numeric ids


NUMERIC = ["12347", "30000123", "8613800000000", "39", "2", "234"]


def test_numeric_ids_by_exact_whole_token():
    guard = IdGuard(NUMERIC, key=KEY)
    out, n = guard.scrub(
        "bad 12347; list 12347,30000123 (30000123). phone +8613800000000.", markup=False
    )
    assert n == 5
    assert out == (
        f"bad {pseudo('12347')}; list {pseudo('12347')},{pseudo('30000123')} "
        f"({pseudo('30000123')}). phone +{pseudo('8613800000000')}."
    )
    assert guard.numeric == len(NUMERIC)


def test_numbers_that_are_not_ids_or_are_part_of_larger_numbers_stay():
    guard = IdGuard(NUMERIC, key=KEY)
    text = "123470 1.12347 12347.5 v3.39.1 1,234 total 2026, 3000 rows, order-12347 12347x"
    assert guard.scrub(text, markup=False) == (text, 0)


def test_a_number_equal_to_an_id_is_replaced():
    # the rule the README states: the guard cannot tell a count from an id
    guard = IdGuard(["3000"], key=KEY)
    assert guard.scrub("3000 rows", markup=False) == (f"{pseudo('3000')} rows", 1)


def test_numeric_ids_in_html_text_but_not_in_markup_or_references():
    guard = IdGuard(NUMERIC, key=KEY)
    page = (
        '<style>td { z-index: 2; }</style><td colspan="2" title="39">2 &#39;12347&#39;</td>'
        "<!-- 12347 -->"
    )
    out, n = guard.scrub(page)
    assert n == 2
    assert out == (
        '<style>td { z-index: 2; }</style><td colspan="2" title="39">'
        f"{pseudo('2')} &#39;{pseudo('12347')}&#39;</td><!-- 12347 -->"
    )


def test_colour_codes_of_a_traceback_stay_and_the_id_goes():
    guard = IdGuard(["0", "31", "12347"], key=KEY)
    text = "\x1b[0;31mValueError\x1b[0m: bad 12347"
    assert guard.scrub(text, markup=False) == (
        f"\x1b[0;31mValueError\x1b[0m: bad {pseudo('12347')}",
        1,
    )


# ----------------------------------------------------------------------------- notebooks, files


def _notebook_with_a_leak() -> dict:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("raise ValueError(f'bad {cid}')")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": '<td colspan="2">30000123</td>',
                "text/plain": "30000123",
                "image/png": "iVBOR/30000123+AAAA",  # base64: no text
            },
        ),
        nbformat.v4.new_output(
            "error",
            ename="ValueError",
            evalue="bad 30000123",
            traceback=["\x1b[0;31mValueError\x1b[0m: bad 30000123"],
        ),
    ]
    nb.cells = [cell]
    return json.loads(nbformat.writes(nb))


def test_notebooks_scrubbed_everywhere_but_their_images():
    guard = IdGuard(["30000123", "2"], key=KEY)
    doc, n = guard.scrub_json(_notebook_with_a_leak())
    assert n == 4
    (out_display, out_error) = doc["cells"][0]["outputs"]
    shown = {k: "".join(v) for k, v in out_display["data"].items()}  # lines, as nbformat has it
    p = pseudo("30000123")
    assert shown["text/html"] == f'<td colspan="2">{p}</td>'
    assert shown["text/plain"] == p
    assert shown["image/png"] == "iVBOR/30000123+AAAA"
    assert out_error["evalue"] == f"bad {p}" and out_error["traceback"][0].endswith(f"bad {p}")


def _folder(tmp_path):
    folder = tmp_path / "2026-10"
    folder.mkdir()
    nbformat.write(nbformat.from_dict(_notebook_with_a_leak()), folder / "01_x.ipynb")
    (folder / "01_x.html").write_text("<p>bad 30000123</p>", encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"error": "bad 30000123"}), "utf-8")
    (folder / "run.log").write_text("01_x: failed at cell In [2]: bad 30000123\n", "utf-8")
    (folder / "export.csv").write_text("customer_id\n30000123\n", encoding="utf-8")
    (folder / "model.joblib").write_bytes(b"\x80\x04\x00 30000123 \x00")
    return folder


def test_sweep_scrubs_every_file_but_exports_and_binaries_then_finds_none(tmp_path):
    folder = _folder(tmp_path)
    guard = IdGuard(["30000123"], key=KEY)
    done = guard.sweep(folder, exclude=["export.csv"])
    assert done["by_file"] == {"01_x.html": 1, "01_x.ipynb": 4, "manifest.json": 1, "run.log": 1}
    assert done["excluded"] == ["export.csv"] and done["binary"] == ["model.joblib"]
    assert done["files"] == 4 and done["ids"] == 7
    scan = guard.sweep(folder, exclude=["export.csv"], write=False)
    assert scan["ids"] == 0 and scan["files"] == 4
    assert "30000123" in (folder / "export.csv").read_text()  # the analyst's copy
    nb = nbformat.read(folder / "01_x.ipynb", as_version=4)  # still a valid notebook
    assert nb.cells[0].outputs[1].evalue == f"bad {pseudo('30000123')}"
    assert json.loads((folder / "manifest.json").read_text()) == {
        "error": f"bad {pseudo('30000123')}"
    }


def test_the_final_scan_finds_an_id_planted_after_the_scrub(tmp_path):
    folder = _folder(tmp_path)
    guard = IdGuard(["30000123"], key=KEY)
    guard.sweep(folder, exclude=["export.csv"])
    (folder / "index.html").write_text("<div class='err'>bad 30000123</div>", encoding="utf-8")
    scan = guard.sweep(folder, exclude=["export.csv"], write=False)
    assert scan["ids"] == 1 and scan["by_file"] == {"index.html": 1}
    assert "30000123" in (folder / "index.html").read_text()  # counted, not changed


_SEPARATORS = st.sampled_from([" ", ", ", ",", ".", ". ", "(", ")", "<td>", "</td>", "\n", ": "])
_IDS = ["C000001", "C000010", "12347", "30000123", "8613800000000", "A B"]


@given(st.lists(st.one_of(st.sampled_from(_IDS), _SEPARATORS, st.integers(0, 99999).map(str))))
def test_after_the_scrub_no_id_is_left_to_find(pieces):
    guard = IdGuard(_IDS, key=KEY)
    text = "".join(pieces)
    for markup in (False, True):
        out, _ = guard.scrub(text, markup=markup)
        assert guard.scrub(out, markup=markup)[1] == 0
        # none of the ids survives where it stands alone, between separators
        for cid in _IDS:
            alone = rf"(?:^|[\s,(<>]){re.escape(cid)}(?:$|[\s,)<>:]|\.(?!\d))"
            if not cid.isdigit() or not re.search(rf"\d[.,]{cid}|{cid}[.,]\d", text):
                assert not re.search(alone, out), (cid, text, out)
