"""01_swot notebook under papermill: non-default parameters, a data folder with nothing but
the workshop's factors, and a bad parameter that must stop the run with a clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import papermill
import pytest

from cxreport import METRIC_MIME, ahp, load, swot

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_swot.ipynb"


def execute(tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        kernel_name="cxreport",
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
        parameters=parameters,
    )
    return nbformat.read(out, 4)


def kpis(nb) -> dict:
    for output in nb.cells[-1].get("outputs", []):
        data = output.get("data", {})
        if METRIC_MIME in data:
            return {m["name"]: m for m in data[METRIC_MIME]["metrics"]}
    raise AssertionError("the last cell shows no KPIs")


def text(nb) -> str:
    parts = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            parts.append(str(o.get("text", "")))
            parts += [str(v) for k, v in o.get("data", {}).items() if k.startswith("text/")]
    return "\n".join(parts)


def test_non_default_parameters(tmp_path, sample_dir):
    export = tmp_path / "export"
    nb = execute(
        tmp_path,
        data_dir=str(sample_dir),
        export_dir=str(export),
        weights_from="ahp",
        random_index="donegan_dodd",
        top_n=2,
        lang="zh",
        score_method="pomp",
        n_weakest=3,
        trend_window=2,
        alpha=0.01,
        segment_trends=False,
    )
    k = kpis(nb)
    # the same numbers from the package, with the same (AHP) weights
    data = load(sample_dir, "2026-10")
    awot = ahp.swot_ahp(data.swot_pairwise, data.swot_factors, random_index="donegan_dodd")
    assert awot.usable
    s = swot.score_factors(
        data.swot_factors, weights=awot.factors["global_weight"], weights_from="ahp"
    )
    assert k["ife_total"]["value"] == pytest.approx(s.ife_total)
    assert k["efe_total"]["value"] == pytest.approx(s.efe_total)
    assert k["ie_cell"]["value"] == swot.ie_position(s.ife_total, s.efe_total).cell
    assert "POMP" in k["self_assessment_pct"]["label"]
    assert 0 <= k["self_assessment_pct"]["value"] <= 100
    out = text(nb)
    # lang="zh": the whole page in Chinese, the trend note too
    assert "趋势比较 2026-09…2026-10 与 2026-07…2026-08" in out
    assert "校正后 p &lt; 0.01" in out or "校正后 p < 0.01" in out
    from cxreport.viz.swot import cjk_font

    if cjk_font() is None:  # Chinese labels need a CJK font: the notebook says it fell back
        assert "No CJK font is installed" in out
    else:
        assert "公司理念与氛围" in out
    tows = (export / "tows_pairs.csv").read_text(encoding="utf-8")
    assert "S2" in tows and "S3" not in tows  # top_n = 2
    assert (export / "swot_data_factors.csv").is_file()
    assert (export / "swot_trend_tests.csv").is_file()


def test_folder_with_only_the_workshop_factors_runs_with_notes(tmp_path, sample_dir):
    folder = tmp_path / "only_factors"
    folder.mkdir()
    shutil.copy(sample_dir / "swot_factors.csv", folder / "swot_factors.csv")
    nb = execute(tmp_path, data_dir=str(folder), month="2026-09", weights_from="ahp")
    out = text(nb)
    assert "no swot_pairwise table: the table weights are used" in out
    assert "no self_assessment table: this part is skipped" in out
    assert "No survey-based factors: the data folder has no survey table." in out
    k = kpis(nb)
    assert set(k) == {"ife_total", "efe_total", "ie_cell", "ie_posture"}
    assert k["ie_cell"]["value"] == "V"


def test_bad_parameter_stops_with_a_clear_message(tmp_path, sample_dir):
    with pytest.raises(
        papermill.PapermillExecutionError,
        match="'weights_from' parameter of 01_swot must be one of 'table', 'ahp'; got 'delphi'",
    ):
        execute(tmp_path, data_dir=str(sample_dir), weights_from="delphi")
