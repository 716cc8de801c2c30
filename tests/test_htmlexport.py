"""The shareable HTML: sanitising, code hiding, embedded figures, contents, id guard, index page."""

from __future__ import annotations

import base64
import math
import re
from html.parser import HTMLParser

import nbformat
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxreport.report import indexpage
from cxreport.report.context import METRIC_MIME, pseudonymise
from cxreport.report.htmlexport import PageInfo, clean_html, export_html, table_of_contents

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
# a 1x1 PNG
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e5273ede0000000049454e44ae426082"
    )
).decode()


class _Tags(HTMLParser):
    """Every start tag and attribute a browser would build from the markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(markup: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(markup)
    return parser.tags


def _active(markup: str) -> list[str]:
    """Tags or attributes that could run code or load something."""
    found = []
    for tag, attrs in _tags(markup):
        if tag in ("script", "iframe", "object", "embed", "svg", "form", "base"):
            found.append(tag)
        for name, value in attrs.items():
            if name.startswith("on") or name in ("src", "srcdoc", "formaction"):
                found.append(f"{tag}[{name}]")
            if name == "href" and (value or "").strip().lower().startswith(("javascript", "data")):
                found.append(f"{tag}[href={value}]")
    return found


# ----------------------------------------------------------------------------- clean_html


def test_clean_html_shows_script_and_img_as_text():
    out = clean_html(f"<p>Complaint: {SCRIPT} {IMG}</p>")
    assert _active(out) == []
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in out
    assert '&lt;img src=x onerror="alert(1)"&gt;' in out or "&lt;img" in out
    assert out.startswith("<p>Complaint: ")


def test_clean_html_drops_handlers_and_javascript_links_but_keeps_tables():
    frame = (
        '<table class="dataframe" border="1"><thead><tr style="text-align: right;">'
        '<th>a</th></tr></thead><tbody><tr><td style="color: red" onclick="x()">1</td>'
        '</tr></tbody></table><a href="javascript:alert(1)">go</a><a href="https://x.org">ok</a>'
    )
    out = clean_html(frame)
    assert _active(out) == []
    assert ("table", {"class": "dataframe", "border": "1"}) in _tags(out)
    assert '<td style="color: red;">1</td>' in out or '<td style="color: red">1</td>' in out
    assert 'href="https://x.org"' in out and "javascript" not in out


def test_clean_html_keeps_styler_css():
    styled = pd.DataFrame({"x": [1.0, 2.0]}).style.highlight_max(color="yellow").to_html()
    out = clean_html(styled)
    assert "<style" in out and "background-color: yellow" in out
    assert _active(out) == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                SCRIPT,
                IMG,
                "<svg onload=alert(1)>",
                "<iframe src=x>",
                "<a href='javascript:x'>",
                "<b>",
                "</b>",
                "<p>",
                "&lt;",
                '"',
                "'",
                ">",
                "<",
                "text",
                "<scr",
                "ipt>",
                "<!--",
                "-->",
                "<style>",
                "</style>",
                "<table>",
                "<td onmouseover=x>",
                "=",
                " ",
            ]
        ),
        max_size=12,
    )
)
def test_clean_html_never_yields_active_markup(parts):
    assert _active(clean_html("".join(parts))) == []


# ----------------------------------------------------------------------------- contents


def test_table_of_contents_escapes_and_skips_the_title():
    body = (
        '<h1 id="Title">Title<a class="anchor-link" href="#Title">¶</a></h1>'
        '<h2 id="a">A &amp; B</h2><h3 id="b">&lt;script&gt;</h3><h4 id="c">deep</h4>'
    )
    toc = table_of_contents(body, skip_title="Title")
    assert '<a href="#a">A &amp; B</a>' in toc
    assert '<li class="cx-toc-l1"><a href="#b">&lt;script&gt;</a></li>' in toc
    assert "Title" not in toc and "deep" not in toc and "¶" not in toc
    assert table_of_contents('<h2 id="a">only one</h2>') == ""


# ----------------------------------------------------------------------------- export_html


def _executed_notebook():
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('month = "2026-10"')
    params.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell('id_key = "TOPSECRETKEY"')
    injected.metadata["tags"] = ["injected-parameters"]
    fig = nbformat.v4.new_code_cell("make_the_figure()", execution_count=3)
    fig.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})
    ]
    careless = nbformat.v4.new_code_cell("display(HTML(name))", execution_count=4)
    careless.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": f"<p>Eve {SCRIPT}{IMG}</p>"})
    ]
    streamed = nbformat.v4.new_code_cell("print(name)", execution_count=5)
    streamed.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{SCRIPT}\n")]
    silent = nbformat.v4.new_code_cell("x = compute_silently()", execution_count=6)
    nb.cells = [
        nbformat.v4.new_markdown_cell("# The report\n\nIntro."),
        params,
        injected,
        nbformat.v4.new_markdown_cell("## First part"),
        fig,
        nbformat.v4.new_markdown_cell(f"## Second part\n\nText {IMG}"),
        careless,
        streamed,
        silent,
    ]
    nb.metadata["kernelspec"] = {
        "name": "cxreport",
        "display_name": "cxreport",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("html")
    nb = _executed_notebook()
    info = PageInfo(
        "The report", "2026-10", "/data/<acme>", generated="2026-11-01T08:00:00", version="0.1.0"
    )
    hidden = export_html(nb, folder / "hidden.html", info).read_text()
    shown = export_html(nb, folder / "shown.html", info, show_code=True).read_text()
    failed = export_html(
        nb,
        folder / "failed.html",
        PageInfo(
            "The report",
            "2026-10",
            "/data",
            status="failed",
            error="cell In [4]: ValueError: <b>bad</b>",
        ),
    ).read_text()
    return hidden, shown, failed


def test_export_hides_code_and_the_injected_parameters_by_default(exported):
    hidden, shown, _ = exported
    assert "make_the_figure" not in hidden and "compute_silently" not in hidden
    assert "make_the_figure" in shown and "compute_silently" in shown
    for page in exported:
        assert "TOPSECRETKEY" not in page


def test_export_embeds_figures_and_loads_nothing_from_outside(exported):
    for page in exported:
        imgs = [a for t, a in _tags(page) if t == "img"]
        assert len(imgs) == 1 and imgs[0]["src"] == f"data:image/png;base64,{PNG}"
        assert [t for t, _ in _tags(page) if t == "script"] == []
        assert [t for t, a in _tags(page) if t == "link" and a.get("rel") == "stylesheet"] == []
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)


def test_export_renders_data_derived_markup_as_text(exported):
    for page in exported:
        active = [x for x in _active(page) if x != "img[src]"]
        assert active == []
        assert "Eve &lt;script&gt;alert('x')&lt;/script&gt;" in page
        assert "onerror" not in [k for _, a in _tags(page) for k in a]


def test_export_header_names_month_data_source_and_has_contents(exported):
    hidden, _, failed = exported
    assert '<h1 class="cx-title">The report</h1>' in hidden
    assert 'id="The-report"' not in hidden and "Intro." in hidden  # no second title
    assert "Reporting month <strong>Oct 2026</strong>" in hidden
    assert "Data <code>/data/&lt;acme&gt;</code>" in hidden
    assert '<details class="cx-toc" open><summary>Contents</summary>' in hidden
    assert 'href="#First-part"' in hidden and 'href="#Second-part"' in hidden
    assert '<a href="index.html">' in hidden
    assert "This notebook failed: cell In [4]: ValueError: &lt;b&gt;bad&lt;/b&gt;." in failed
    assert "This notebook failed" not in hidden


# ----------------------------------------------------------------------------- pseudonyms


def test_pseudonyms_are_stable_per_key():
    a = pseudonymise(["C1", "C2", None], "key-1")
    assert a.iloc[0] == pseudonymise(["C1"], "key-1").iloc[0]
    assert a.iloc[0] != pseudonymise(["C1"], "key-2").iloc[0]
    assert re.fullmatch(r"C-[0-9a-f]{10}", a.iloc[0]) and pd.isna(a.iloc[2])


# ----------------------------------------------------------------------------- index page


def test_compare_known_answer():
    now = {"value": 30.0, "se": 2.0}
    before = {"value": 20.0, "se": 3.0}
    change = indexpage.compare(now, before)
    z = 10 / math.sqrt(13)
    assert change.delta == 10.0 and change.z == pytest.approx(z)
    assert change.p == pytest.approx(math.erfc(z / math.sqrt(2)))  # 0.00555
    assert change.significant is True
    # SE from a 95% CI: (hi - lo) / 3.92
    assert indexpage.standard_error({"ci_low": 10.0, "ci_high": 17.84}) == pytest.approx(2.0)
    weak = indexpage.compare({"value": 21.0, "ci_low": 15.0, "ci_high": 27.0}, before)
    assert weak.significant is False
    none = indexpage.compare({"value": 21.0}, before)
    assert none.delta == 1.0 and none.significant is None
    assert indexpage.compare({"value": 21.0}, None).delta is None


def test_headline_picks_the_cx_kpis_in_order():
    metrics = [
        {"name": n}
        for n in (
            "churn_rate",
            "auc",
            "nps",
            "csi_overall",
            "sqi_daily_mean",
            "at_risk_customers",
            "nps_promoters",
        )
    ]
    tiles, rest = indexpage.headline(metrics)
    assert [m["name"] for m in tiles] == [
        "nps",
        "csi_overall",
        "sqi_daily_mean",
        "churn_rate",
        "at_risk_customers",
    ]
    assert [m["name"] for m in rest] == ["auc", "nps_promoters"]


def test_collect_metrics_reads_the_last_payload():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("run.kpis()")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={METRIC_MIME: {"metrics": [1]}}),
        nbformat.v4.new_output("display_data", data={METRIC_MIME: {"metrics": [2]}}),
    ]
    nb.cells = [cell]
    assert indexpage.collect_metrics(nb) == {"metrics": [2]}
    assert indexpage.collect_metrics(nbformat.v4.new_notebook()) is None


def test_render_index_escapes_labels_and_marks_significance():
    hostile = "NPS <script>alert(1)</script>"
    metrics = [
        {
            "name": "nps",
            "label": hostile,
            "value": 30.0,
            "se": 2.0,
            "unit": "",
            "higher_is_better": True,
            "notebook": "05_nps_sqi",
            "n": 1200,
        },
        {
            "name": "auc",
            "label": "AUC",
            "value": 0.81,
            "unit": "",
            "higher_is_better": True,
            "notebook": "03_churn",
            "note": IMG,
        },
    ]
    previous = [{"name": "nps", "value": 20.0, "se": 3.0, "notebook": "05_nps_sqi"}]
    notebooks = [
        {
            "name": "05_nps_sqi",
            "title": "NPS <b>",
            "html": "05_nps_sqi.html",
            "status": "failed",
            "error_line": f"cell In [3]: ValueError: {SCRIPT}",
            "duration_s": 1.5,
            "exported": ["at_risk.csv"],
            "generated": "earlier <i>",
        }
    ]
    page = indexpage.render_index(
        month="2026-10",
        previous_month="2026-09",
        metrics=metrics,
        previous=previous,
        notebooks=notebooks,
        data_source="data/<x>",
        generated="now",
        version="0.1.0",
        show_ids=False,
        status="failed",
    )
    assert _active(page) == []
    assert "NPS &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert (
        '▲ +10 <span class="vs">vs the Sep 2026 report</span>' in page and 'class="sigmark"' in page
    )
    assert '<div class="delta good">' in page
    assert "significant (p = 0.006)" in page
    assert "n = 1,200" in page
    assert "Some analyses failed this month" in page
    assert "ValueError: &lt;script&gt;" in page
    assert '<a href="at_risk.csv">at_risk.csv</a>' in page
    # the run each notebook comes from, and whether it is this one
    row = page.split('<tr data-notebook="05_nps_sqi">', 1)[1].split("</tr>", 1)[0]
    assert "earlier &lt;i&gt;" in row and "kept from an earlier run" in row


def test_decorate_greys_out_a_change_within_the_noise():
    before = [{"name": "csi", "value": 70.0, "se": 1.0}]
    worse = indexpage.decorate({"name": "csi", "value": 69.0, "se": 1.0}, before, "2026-09")
    assert worse["tone"] == "flat" and worse["sig"] is False
    assert worse["sig_shown"] == "not significant (p = 0.48)"
    much_worse = indexpage.decorate(
        {"name": "csi", "value": 60.0, "se": 1.0, "higher_is_better": True}, before, "2026-09"
    )
    assert much_worse["tone"] == "bad" and much_worse["sig_shown"] == "significant (p < 0.001)"
    churn = indexpage.decorate(
        {"name": "churn_rate", "value": 3.0, "higher_is_better": False},
        [{"name": "churn_rate", "value": 2.0}],
        "2026-09",
    )
    assert churn["tone"] == "bad" and churn["sig_shown"] == "no uncertainty recorded"
    assert churn["trend"] == "▲" and churn["delta_shown"] == "+1"


def test_change_of_a_percentage_is_in_percentage_points():
    m = indexpage.decorate(
        {"name": "promoters", "value": 48.5, "unit": "%"},
        [{"name": "promoters", "value": 35.7}],
        "2026-09",
    )
    assert m["shown"] == "48.5%" and m["delta_shown"] == "+12.8 pp"


def test_exports_neutralise_formula_cells(tmp_path):
    import pandas as pd

    from cxreport.report.exports import safe_cells

    frame = pd.DataFrame(
        {
            "text": [
                '=HYPERLINK("http://x")',
                "+cmd|' /C calc'!A0",
                "@SUM(A1)",
                "-2+3",
                "plain",
                None,
            ],
            "amount": [-5.0, 1.0, 2.0, -3.5, 0.0, 1.0],
        }
    )
    out = safe_cells(frame)
    assert out["text"].tolist()[:5] == [
        '\'=HYPERLINK("http://x")',
        "'+cmd|' /C calc'!A0",
        "'@SUM(A1)",
        "'-2+3",
        "plain",
    ]
    assert pd.isna(out["text"].iloc[5])
    assert out["amount"].tolist() == frame["amount"].tolist()  # numbers stay numbers
    assert frame["text"].iloc[0].startswith("=")  # the caller's frame is not changed
    from cxreport.report.exports import unsafe_cells

    back = unsafe_cells(out)  # read back next month: ids such as "+86..." join again
    assert back["text"].tolist()[:5] == frame["text"].tolist()[:5]


def test_the_first_report_compares_with_the_previous_month_in_the_data():
    from_data = {"value": 10.0, "ci_low": 6.0, "ci_high": 14.0, "label": "2026-09"}
    nps = {"name": "nps", "value": 20.0, "ci_low": 16.0, "ci_high": 24.0, "previous": from_data}
    nps["higher_is_better"] = True
    first = indexpage.decorate(nps, [], "2026-09")  # no earlier report
    assert first["delta_shown"] == "+10" and first["source"] == "Sep 2026 in the data"
    assert first["sig"] is True and first["tone"] == "good"
    # an earlier report's own figure wins, and the tile says so
    report = [{"name": "nps", "value": 19.0, "ci_low": 15.0, "ci_high": 23.0}]
    later = indexpage.decorate(nps, report, "2026-09")
    assert later["delta_shown"] == "+1" and later["source"] == "the Sep 2026 report"
    assert later["sig"] is False
    # a quarter of the data is named as such; nothing to compare with: no source
    q = indexpage.decorate({**nps, "previous": {**from_data, "label": "2026-Q2"}}, [], "2026-09")
    assert q["source"] == "2026-Q2 in the data"
    assert indexpage.decorate({"name": "auc", "value": 0.8}, [], "2026-09")["source"] == ""


def test_record_keeps_the_previous_month_from_the_data():
    from types import SimpleNamespace

    import pandas as pd

    from cxreport.report.context import Run

    run = Run.__new__(Run)
    run.metrics, run.data = (
        [],
        SimpleNamespace(month=pd.Period("2026-10", "M"), has=lambda table: False),
    )
    run.record("nps", 20.0, label="NPS", ci=(16, 24), previous={"value": 10, "ci": (6, 14)})
    run.record("sqi", 5.0, label="SQI", previous={"value": float("nan"), "ci": None})
    nps, sqi = run.metrics
    assert nps.previous == {
        "value": 10.0, "ci_low": 6.0, "ci_high": 14.0, "se": None, "label": "2026-09"
    }  # fmt: skip
    assert sqi.previous is None  # no previous value: nothing to compare with


def _tile(name, value, before, *, ci=2.0, hib=True, unit=""):
    """A decorated headline tile: ``value`` against ``before`` from the data (both ± ci)."""
    metric = {
        "name": name, "label": name.upper(), "value": value, "unit": unit,
        "ci_low": value - ci, "ci_high": value + ci, "higher_is_better": hib,
        "previous": {"value": before, "ci_low": before - ci, "ci_high": before + ci,
                     "label": "2026-09"},
    }  # fmt: skip
    return indexpage.decorate(metric, [], "2026-09")


def test_the_story_says_which_kpis_moved_significantly_and_which_way():
    better_nps = _tile("nps", 30.0, 20.0)  # far outside the noise, higher is better
    worse_sqi = _tile("sqi", 200.0, 150.0, hib=False)  # more failures: worse
    flat_csi = _tile("csi", 70.5, 70.0)
    lines = indexpage.story([better_nps, worse_sqi, flat_csi], [])
    assert lines[0] == (
        "2 headline KPIs changed significantly this month: NPS improved; SQI worsened."
    )
    assert lines[1].startswith("NPS: 30, up 10 on Sep 2026 in the data, a significant change")
    assert lines[2].startswith("SQI: 200, up 50 on Sep 2026 in the data, a significant change")
    assert lines[3].startswith("CSI: 70.5, up 0.50 on Sep 2026 in the data, within the noise (p =")


def test_the_story_of_a_quiet_month_and_of_a_first_month_without_history():
    down = _tile("nps", 19.5, 20.0)
    lines = indexpage.story([down], [{"name": "01_swot", "status": "skipped"}])
    assert lines[0] == "No headline KPI changed significantly this month."
    assert lines[1].startswith("NPS: 19.5, down 0.50 on Sep 2026 in the data, within the noise")
    assert lines[2] == "Not run on this data: 01_swot."
    alone = indexpage.decorate({"name": "nps", "label": "NPS", "value": 20.0}, [], "2026-09")
    failed = [{"name": "03_churn", "status": "failed"}]
    assert indexpage.story([alone], failed) == [
        "There is no earlier month to compare the headline KPIs with.",
        "Failed: 03_churn (see its page).",
    ]


def test_a_style_block_fetches_nothing_from_elsewhere():
    from cxreport.report.htmlexport import clean_html

    out = clean_html(
        "<style>@import url(http://evil.example/x.css); td { color: red; "
        "background: url('https://evil.example/t.png') } th { background: url(data:image/png;"
        "base64,AAAA) }</style><p>ok</p>"
    )
    assert "evil.example" not in out and "@import" not in out
    assert "color: red" in out and "url(data:image/png;base64,AAAA)" in out and "<p>ok</p>" in out
