"""The month's KPIs: read from executed notebooks, compared with last month, shown on index.html.

Notebooks end with ``run.kpis()``, which embeds ``{title, month, metrics, exported}`` under the
mimetype :data:`cxreport.METRIC_MIME`. :func:`collect_metrics` reads it back from the executed
notebook; :func:`compare` sets each metric against the previous month's ``metrics.json`` with a
z-test on the difference where both months carry an uncertainty (a standard error, or one
derived from a 95% CI as ``(high - low) / 3.92``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from importlib import resources as _resources
from pathlib import Path

from .. import i18n
from ..i18n import N_, _

#: The mimetype under which ``run.kpis()`` embeds a notebook's KPIs.
METRIC_MIME = "application/vnd.cxreport.metrics+json"

ALPHA = 0.05
# Headline tiles, in this order: first metric whose name matches each pattern.
HEADLINE = (
    ("nps", ("nps",)),
    ("csi", ("csi",)),
    ("sqi", ("sqi", "service_quality_index")),
    ("churn", ("churn_rate",)),
    ("at_risk", ("at_risk",)),
)


def finite(x) -> float | None:
    """A number as a float, None for a missing, NaN or infinite one (and for text or a
    bool): what a KPI's value, interval or SE is, here and in :mod:`.context`.

    Parameters
    ----------
    x : object
        The value.

    Returns
    -------
    float or None
    """
    if x is None or isinstance(x, (bool, str)):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def collect_metrics(nb) -> dict | None:
    """The KPI payload a notebook embedded with ``run.kpis()`` (the last one), or ``None``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.

    Returns
    -------
    dict or None
        ``{title, month, metrics, exported, units, findings, actions}`` as ``run.kpis()``
        embedded it.
    """
    found = None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            if METRIC_MIME in data:
                payload = data[METRIC_MIME]
                found = json.loads(payload) if isinstance(payload, str) else dict(payload)
    return found


def standard_error(metric: dict) -> float | None:
    """The metric's SE: recorded, or derived from its 95% CI as (hi − lo) / 3.92.

    Parameters
    ----------
    metric : dict
        A metric of ``metrics.json`` (keys ``se``, ``ci_low``, ``ci_high``).

    Returns
    -------
    float or None
        None when there is neither a finite SE of at least 0 nor a finite interval.
    """
    se = finite(metric.get("se"))
    if se is not None and se >= 0:
        return se
    lo, hi = finite(metric.get("ci_low")), finite(metric.get("ci_high"))
    if lo is not None and hi is not None and hi >= lo:
        return (hi - lo) / 3.92
    return None


@dataclass
class Change:
    """One metric against the previous month."""

    previous: float | None
    delta: float | None
    z: float | None = None
    p: float | None = None

    @property
    def significant(self) -> bool | None:
        """Whether the change is significant at :data:`ALPHA`; None without a test.

        Returns
        -------
        bool or None
        """
        return None if self.p is None else self.p < ALPHA


def compare(metric: dict, previous: dict | None) -> Change:
    """Change of ``metric`` against the same metric of the previous month (``None`` if absent).

    Parameters
    ----------
    metric : dict
        The metric this month (``value`` and ``se`` or ``ci_low``/``ci_high``).
    previous : dict or None
        The same metric the month before, likewise.

    Returns
    -------
    Change
        The previous value and the difference (None when either value is missing); ``z`` and
        ``p`` of the z-test when both have a standard error and not both are 0.
    """
    now = finite(metric.get("value"))
    before = None if previous is None else finite(previous.get("value"))
    if now is None or before is None:
        return Change(before, None)
    se_now, se_before = standard_error(metric), standard_error(previous)
    if se_now is None or se_before is None or (se_now == 0 and se_before == 0):
        return Change(before, now - before)
    from ..stats import diff_z  # scipy: loaded only when a month has one to compare

    z, p = diff_z(before, se_before, now, se_now)
    return Change(before, now - before, z, p)


def flatten(notebooks: dict[str, dict]) -> list[dict]:
    """``{notebook: payload}`` → one list of metrics, each with its ``notebook``.

    Parameters
    ----------
    notebooks : dict of str to dict
        ``{notebook: KPI payload}`` (payloads as :func:`collect_metrics` returns them, or None).

    Returns
    -------
    list of dict
    """
    rows = []
    for name, payload in notebooks.items():
        for m in (payload or {}).get("metrics", []):
            rows.append({**m, "notebook": name})
    return rows


def load_previous(path: str | Path) -> list[dict]:
    """Metrics of an earlier ``metrics.json`` (empty when missing or unreadable).

    Parameters
    ----------
    path : str or pathlib.Path
        The earlier report's ``metrics.json``.

    Returns
    -------
    list of dict
        Its ``metrics`` list.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return list(data.get("metrics", [])) if isinstance(data, dict) else []


def match_previous(metric: dict, previous: list[dict]) -> dict | None:
    """Same notebook and name first, then the same name anywhere.

    Parameters
    ----------
    metric : dict
        The metric this month (``name``, ``notebook``).
    previous : list of dict
        The earlier report's metrics (:func:`load_previous`).

    Returns
    -------
    dict or None
        The earlier metric, None when no metric has that name.
    """
    same = [p for p in previous if p.get("name") == metric.get("name")]
    for p in same:
        if p.get("notebook") == metric.get("notebook"):
            return p
    return same[0] if same else None


def headline(metrics: list[dict]) -> tuple[list[dict], list[dict]]:
    """Split metrics into headline tiles (NPS, CSI, SQI, churn, at-risk) and the rest.

    Parameters
    ----------
    metrics : list of dict
        The metrics, in order.

    Returns
    -------
    tuple of (list of dict, list of dict)
        For each of :data:`HEADLINE` the first metric whose name contains one of its patterns
        (case ignored), then the other metrics in their order.
    """
    chosen: list[dict] = []
    for _name, patterns in HEADLINE:
        for m in metrics:
            name = str(m.get("name", "")).lower()
            if m not in chosen and any(
                name == p or name.startswith(p + "_") or name.endswith("_" + p) or p in name
                for p in patterns
            ):
                chosen.append(m)
                break
    rest = [m for m in metrics if m not in chosen]
    return chosen, rest


def _fmt(value, unit: str = "") -> str:
    v = finite(value)
    if v is None:
        return "–" if value is None else str(value)
    if abs(v) >= 1000 or float(v).is_integer():
        text = f"{v:,.0f}"
    elif abs(v) >= 10:
        text = f"{v:,.1f}"
    else:
        text = f"{v:,.2f}"
    return i18n.with_unit(text, unit)


#: A change of a percentage is in percentage points.
POINTS = N_("pp")


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}" if p < 0.1 else f"= {p:.2f}"


def previous_of(metric: dict, previous: list[dict], previous_month: str) -> tuple[dict | None, str]:
    """The previous month's value of ``metric`` and where it comes from: the previous
    month's report (``metrics.json``) when it recorded the metric, else the value the
    notebook computed from the data (``Run.record(previous=...)``), else none.

    Parameters
    ----------
    metric : dict
        The metric this month.
    previous : list of dict
        The previous month's report's metrics (:func:`load_previous`).
    previous_month : str
        The previous month, ``"YYYY-MM"``.

    Returns
    -------
    tuple of (dict or None, str)
        The previous metric (or the notebook's ``previous``) and its source, shown in the
        report's language; ``(None, "")`` when there is none.
    """
    earlier = match_previous(metric, previous)
    if earlier is not None:
        return earlier, _("the {month} report", month=i18n.month(previous_month))
    if metric.get("previous"):
        label = metric["previous"].get("label") or previous_month
        shown = i18n.month(label) if re.fullmatch(r"\d{4}-\d{2}", str(label)) else str(label)
        return metric["previous"], _("{period} in the data", period=shown)
    return None, ""


def decorate(metric: dict, previous: list[dict], previous_month: str) -> dict:
    """``metric`` with what a tile or a sentence shows: the value, its interval, the change
    against the previous month (from ``previous``, the earlier report's metrics, else the
    data) with its direction, tone and significance, and the target where there is one.

    Parameters
    ----------
    metric : dict
        The metric this month.
    previous : list of dict
        The previous month's report's metrics (:func:`load_previous`).
    previous_month : str
        The previous month, ``"YYYY-MM"``.

    Returns
    -------
    dict
        A copy of ``metric`` with ``shown``, ``numeric``, ``ci_shown``, ``target_shown``,
        ``change`` (a :class:`Change`), ``source``, ``trend``, ``delta_shown``, ``tone``
        (``"good"``, ``"bad"`` or ``"flat"``), ``sig_shown`` and ``sig``.
    """
    earlier, source = previous_of(metric, previous, previous_month)
    change = compare(metric, earlier)
    unit = str(metric.get("unit") or "")
    out = dict(metric)
    out["shown"] = _fmt(metric.get("value"), unit)
    out["numeric"] = finite(metric.get("value")) is not None
    lo, hi = finite(metric.get("ci_low")), finite(metric.get("ci_high"))
    out["ci_shown"] = (
        _("95% CI {low} – {high}", low=_fmt(lo), high=_fmt(hi))
        if lo is not None and hi is not None
        else ""
    )
    out["target_shown"] = _target_shown(metric, unit)
    out["change"] = change
    out["source"] = source if change.delta is not None else ""
    if change.delta is None:
        out["trend"], out["delta_shown"], out["tone"] = "", "", "flat"
    else:
        d = change.delta
        out["trend"] = "▲" if d > 0 else ("▼" if d < 0 else "=")
        # a change of a percentage is in percentage points
        d_unit = POINTS if unit.strip() == "%" else unit
        out["delta_shown"] = ("+" if d > 0 else "") + _fmt(d, d_unit).replace("–", "0")
        hib = metric.get("higher_is_better")
        if d == 0 or hib is None:
            out["tone"] = "flat"
        else:
            out["tone"] = "good" if (d > 0) == bool(hib) else "bad"
    sig = change.significant
    if sig is False:
        out["tone"] = "flat"  # within the noise: not coloured as a gain or a loss
    out["sig_shown"] = (
        ""
        if change.delta is None
        else _("no uncertainty recorded")
        if sig is None
        else _("significant (p {p})", p=_p(change.p))
        if sig
        else _("not significant (p {p})", p=_p(change.p))
    )
    out["sig"] = sig
    return out


def _target_shown(metric: dict, unit: str) -> str:
    """ "Target 75 · 3.2 below" for a KPI with a target (``Run.record`` found it in the
    folder's targets table)."""
    target = metric.get("target") or {}
    goal, now = finite(target.get("value")), finite(metric.get("value"))
    if goal is None:
        return ""
    name = target.get("label") or _("Target")
    if now is None:
        return f"{name} {_fmt(goal, unit)}"
    gap = now - goal
    better = gap >= 0 if metric.get("higher_is_better") is not False else gap <= 0
    d_unit = POINTS if unit.strip() == "%" else unit
    if gap == 0:
        return _("{name} {target}: met", name=name, target=_fmt(goal, unit))
    where = _("{gap} above") if gap > 0 else _("{gap} below")
    way = _("on target") if better else _("short of it")
    return _(
        "{name} {target} · {where}, {way}",
        name=name,
        target=_fmt(goal, unit),
        where=where.format(gap=_fmt(abs(gap), d_unit)),
        way=way,
    )


def sentence(m: dict) -> str:
    """One KPI in a sentence, from its decorated form (:func:`decorate`): value, the change
    and its evidence.

    Parameters
    ----------
    m : dict
        The metric as :func:`decorate` returns it.

    Returns
    -------
    str
        The sentence, in the report's language.
    """
    shown = m["shown"]
    if m["change"].delta is None:
        ci = f" ({m['ci_shown']})" if m.get("ci_shown") else ""
        return _("{label}: {value}{ci}.", label=m["label"], value=shown, ci=ci)
    d = m["change"].delta
    size = m["delta_shown"].lstrip("+-")
    move = (
        _("up {size}", size=size)
        if d > 0
        else _("down {size}", size=size)
        if d < 0
        else _("unchanged")
    )
    how = (
        _("a significant change")
        if m["sig"]
        else _("within the noise")
        if m["sig"] is False
        else _("no test possible (no uncertainty recorded)")
    )
    p = m["change"].p
    evidence = _("{how} (p {p})", how=how, p=_p(p)) if p is not None else how
    return _(
        "{label}: {value}, {move} on {source}, {evidence}.",
        label=m["label"],
        value=shown,
        move=move,
        source=m["source"],
        evidence=evidence,
    )


def story(tiles: list[dict], notebooks: list[dict]) -> list[str]:
    """The month in a few sentences, written from the decorated headline tiles and the
    notebooks' status: which KPIs changed significantly and which way, each KPI's change
    with its evidence, then what did not run.

    Parameters
    ----------
    tiles : list of dict
        The headline metrics as :func:`decorate` returns them.
    notebooks : list of dict
        The notebooks' rows (``name``, ``title``, ``status``).

    Returns
    -------
    list of str
        The sentences, in the report's language.
    """
    moved = [m for m in tiles if m.get("sig")]
    if moved:
        said = [
            _("{label} improved", label=m["label"])
            if m["tone"] == "good"
            else _("{label} worsened", label=m["label"])
            for m in moved
        ]
        lead = (
            _("One headline KPI changed significantly this month: {what}.", what=said[0])
            if len(moved) == 1
            else _(
                "{n} headline KPIs changed significantly this month: {what}.",
                n=len(moved),
                what=_("; ").join(said),
            )
        )
    elif any(m["change"].delta is not None for m in tiles):
        lead = _("No headline KPI changed significantly this month.")
    else:
        lead = _("There is no earlier month to compare the headline KPIs with.")
    out = [lead] + [sentence(m) for m in tiles if m["change"].delta is not None]
    idle = [nb for nb in notebooks if nb.get("status") == "skipped"]
    failed = [nb for nb in notebooks if nb.get("status") not in ("ok", "skipped")]
    if idle:
        names = _(", ").join(nb.get("title") or nb["name"] for nb in idle)
        out.append(_("Not run on this data: {names}.", names=names))
    if failed:
        names = _(", ").join(nb.get("title") or nb["name"] for nb in failed)
        out.append(_("Failed: {names} (see its page).", names=names))
    return out


def what_to_do(notebooks: list[dict], payloads: dict[str, dict], top: int = 6) -> list[dict]:
    """The month's actions across the pages, most customers at stake first (actions without
    a count after, in page order): ``{text, evidence, customers, href, page}``.

    Parameters
    ----------
    notebooks : list of dict
        The notebooks' rows (``name``, ``title``), for the pages' titles.
    payloads : dict of str to dict
        ``{notebook: KPI payload}``, whose ``actions`` are gathered.
    top : int, default=6
        How many actions to keep.

    Returns
    -------
    list of dict
        At most ``top`` actions.
    """
    titles = {nb["name"]: nb.get("title") or nb["name"] for nb in notebooks}
    found = [
        {
            **a,
            "href": f"{name}.html#{a.get('anchor') or ''}",
            "page": titles.get(name, name),
        }
        for name, payload in payloads.items()
        for a in (payload or {}).get("actions", [])
    ]
    found.sort(key=lambda a: -(finite(a.get("customers")) or -1))
    return found[:top]


def render_index(
    *,
    title: str = "Customer-experience report",
    month: str,
    previous_month: str,
    metrics: list[dict],
    previous: list[dict],
    notebooks: list[dict],
    data_source: str,
    generated: str,
    version: str,
    show_ids: bool,
    status: str,
    payloads: dict[str, dict] | None = None,
) -> str:
    """index.html of the month: KPI tiles, other KPIs, notebook status (autoescaped).

    Parameters
    ----------
    title : str, default="Customer-experience report"
        The report's title.
    month : str
        The report month, ``"YYYY-MM"``.
    previous_month : str
        The month before, ``"YYYY-MM"``.
    metrics : list of dict
        The month's metrics, each with its ``notebook`` (:func:`flatten`).
    previous : list of dict
        The previous month's report's metrics (:func:`load_previous`); empty for none.
    notebooks : list of dict
        The notebooks' rows of the manifest, with ``error_line`` and ``reason``.
    data_source : str
        The data folder's name.
    generated : str
        When the run started, ISO 8601.
    version : str
        The cxreport version.
    show_ids : bool
        Whether the report shows real customer ids.
    status : str
        The report's status, ``"ok"`` or ``"failed"``.
    payloads : dict of str to dict or None, default=None
        ``{notebook: KPI payload}``, for the actions (:func:`what_to_do`); None for none.

    Returns
    -------
    str
        The page's HTML.
    """
    import jinja2

    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    text = (_resources.files("cxreport") / "resources" / "report_index.html.j2").read_text(
        encoding="utf-8"
    )
    tiles, rest = headline(metrics)
    tiles = [decorate(m, previous, previous_month) for m in tiles]
    return env.from_string(text).render(
        title=title,
        month=month,
        previous_month=previous_month,
        tiles=tiles,
        story=story(tiles, notebooks),
        rest=[decorate(m, previous, previous_month) for m in rest],
        actions=what_to_do(notebooks, payloads or {}),
        _=_,
        month_shown=i18n.month(month),
        previous_shown=i18n.month(previous_month),
        html_lang=i18n.html_lang(),
        has_previous=bool(previous),
        notebooks=notebooks,
        data_source=data_source,
        generated=generated,
        version=version,
        show_ids=show_ids,
        status=status,
    )


def page_summary(
    payload: dict | None, previous: list[dict], previous_month: str, notebook: str = ""
) -> str:
    """The summary a page opens with (escaped HTML; "" when the page recorded nothing): its
    main KPIs in the index's sentences, its findings, and its actions, each linking to the
    evidence on the page.

    Parameters
    ----------
    payload : dict or None
        The page's KPI payload (:func:`collect_metrics`).
    previous : list of dict
        The previous period's metrics of this notebook, for the changes.
    previous_month : str
        The previous month, ``"YYYY-MM"``.
    notebook : str, default=""
        The notebook's name, set on each metric (to match ``previous`` by notebook).

    Returns
    -------
    str
        A ``<section class="cx-summary">``, or "".
    """
    import html

    payload = payload or {}
    metrics = [{**m, "notebook": notebook} for m in payload.get("metrics", [])]
    tiles, rest = headline(metrics)
    # the KPIs themselves: a recorded change ("nps_change") is said by the KPI's sentence
    numeric = [m for m in rest if finite(m.get("value")) is not None]
    main = (tiles + [m for m in numeric if not str(m.get("name")).endswith("_change")])[:4]
    lines = [sentence(decorate(m, previous, previous_month)) for m in main]
    lines += [str(f) for f in payload.get("findings", [])]
    actions = payload.get("actions", [])
    if not lines and not actions:
        return ""
    e = html.escape
    out = [f'<section class="cx-summary" aria-label="{e(_("Summary"))}">']
    out.append(f"<h2 class='cx-summary-title'>{e(_('Summary'))}</h2>")
    if lines:
        out.append("<ul>" + "".join(f"<li>{e(line)}</li>" for line in lines) + "</ul>")
    if actions:
        items = "".join(
            f"<li><strong>{e(a['text'])}</strong> <span class='cx-why'>{e(a['evidence'])}"
            f" — <a href='#{e(a.get('anchor') or '')}'>{e(_('see below'))}</a></span></li>"
            for a in actions
        )
        out.append(f"<h3>{e(_('What to do'))}</h3><ol>{items}</ol>")
    out.append("</section>")
    return "".join(out)
