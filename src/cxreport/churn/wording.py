"""What the page may say, decided by one flag (:attr:`ChurnData.mode`): the words
(:func:`wording`), what the contact list is worth (:func:`contact_plan`), the month's KPIs,
the summary and the page's action."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import churn_eval
from ..i18n import _, number, percent
from .observed import observed_churn, previous_churn
from .table import ChurnData


def _n_months(n: int) -> str:
    return _("1 month") if n == 1 else _("{n} months", n=n)


def _next(n: int) -> str:
    return _("the next month") if n == 1 else _("the next {n} months", n=n)


@dataclass(frozen=True)
class Wording:
    """What the page may call the scores and the counts, for one modelling table.

    Made by :func:`wording` from :attr:`ChurnData.mode` alone. With history the model learnt
    churn within a stated number of months of dated observations, so its scores are forecasts
    for that window. A snapshot model learnt "has left at some point": its score says how much
    an active customer resembles those who left (the share who had left among customers like
    them) and its counts describe the snapshot; it never speaks of a period ahead.

    Attributes
    ----------
    mode : str
        ``"history"`` or ``"snapshot"``.
    scope : str
        What this page can and cannot say, in one paragraph.
    score : str
        What one score is ("probability of leaving within the next month").
    predicted : str
        The score as an axis label ("predicted probability of leaving within 1 month").
    observed : str
        The observed outcome ("churn rate within 1 month", "share who have left").
    list_name : str
        What the contact list holds.
    scoring : str
        How this month's customers are scored.
    histogram_title, breakdowns : str
        Title of the score histogram; how the breakdowns count customers.
    period_label : str
        "Training period" or "Training data".
    rows : tuple of str
        Names of the modelling table's rows, its churners and the customers scored.
    window : str
        History: the forecast window ("the next month"); snapshot: "" (there is none).
    profit_caveat : str
        Why the money figures are a rough guide (snapshot), else "".
    """

    mode: str
    scope: str
    score: str
    predicted: str
    observed: str
    list_name: str
    scoring: str
    histogram_title: str
    breakdowns: str
    period_label: str
    rows: tuple[str, str, str]
    window: str = ""
    profit_caveat: str = ""


def wording(d: ChurnData) -> Wording:
    """The page's words for ``d``, decided by ``d.mode`` (see :class:`Wording`).

    Parameters
    ----------
    d : ChurnData
        The modelling table; with history its ``horizon_months`` and ``as_of`` are worded.

    Returns
    -------
    Wording
    """
    return _snapshot_wording() if d.snapshot else _history_wording(d)


def _snapshot_wording() -> Wording:
    """A snapshot model's words: likeness to the customers who left, counts of the snapshot,
    no period ahead."""
    return Wording(
        mode="snapshot",
        scope=_(
            "Undated snapshot: the file says who has left at some point, not when, so the "
            "model learns what the customers who left have in common. Its score says how "
            "much an active customer resembles them (the share who had left among "
            "customers like this one); it says nothing about when, or within which "
            "period, anyone will leave. Every count on this page describes the snapshot; "
            "none is a forecast. With signup and churn dates the same page forecasts a "
            "stated number of months ahead."
        ),
        score=_("likeness to the customers who left (share who had left among similar customers)"),
        predicted=_("predicted share who had left among similar customers"),
        observed=_("share who have left"),
        list_name=_("customers most like those who left"),
        scoring=_(
            "Every active customer is scored by how much they resemble the customers who "
            "left. They were in the training data (as customers who stayed), so their "
            "scores are in-sample; the validation scores above are the honest ones."
        ),
        histogram_title=_("How closely the active customers resemble those who left"),
        breakdowns=_(
            "Every customer of the snapshot counts once; the rate is the share who have "
            "left, whenever that was."
        ),
        period_label=_("Training data"),
        rows=(_("rows (customers)"), _("who have left"), _("active customers to score")),
        profit_caveat=_(
            "The expected profit reads each score as the chance that the customer leaves "
            "without a call. A snapshot cannot check that reading over any period, so "
            "take the money figures as a guide to which calls may pay, not as a forecast."
        ),
    )


def _history_wording(d: ChurnData) -> Wording:
    """The words of a model of dated history: forecasts for the stated number of months."""
    h, day = int(d.horizon_months), f"{d.as_of:%Y-%m-%d}"
    within, ahead = _n_months(h), _next(h)
    return Wording(
        mode="history",
        scope=_(
            "Dated data: the model learnt from monthly observation dates which customers "
            "left within {within} of each date, and was tested on later months it never saw. "
            "Its scores are probabilities of leaving within {ahead} from {day}, and the "
            "expected counts are forecasts for that window.",
            within=within,
            ahead=ahead,
            day=day,
        ),
        score=_("probability of leaving within {ahead}", ahead=ahead),
        predicted=_("predicted probability of leaving within {within}", within=within),
        observed=_("churn rate within {within}", within=within),
        list_name=_("customers most likely to leave within {ahead}", ahead=ahead),
        scoring=_(
            "Every active customer is scored as of {day}: the score is the probability of "
            "leaving within {ahead}.",
            day=day,
            ahead=ahead,
        ),
        histogram_title=_(
            "Probability of leaving within {ahead}, customers scored on {day}",
            ahead=ahead,
            day=day,
        ),
        breakdowns=_(
            "Plan, failures and NPS are counted over the customer-months of the last 12 "
            "observation months (the value known at each month start, churn within {within} "
            "after it; n counts customer-months); segments are this month's, so they use the "
            "latest month's customers only.",
            within=within,
        ),
        period_label=_("Training period"),
        rows=(_("rows (customer-months)"), _("followed by churn"), _("active customers to score")),
        window=ahead,
    )


@dataclass(frozen=True)
class ContactPlan:
    """What the contact list of :func:`targeting` is worth, and what would make calls pay.

    Attributes
    ----------
    policy : str
    budget_contacts : int
    scored, contacted, paying : int
        Customers scored, on the list, and with a positive expected profit (list or not).
    losing : int
        Customers on the list below break-even (only the budget policy lists them).
    expected_profit : float
        Expected profit of calling the list (currency).
    reached, expected : float
        Sum of the scores on the list and over everyone scored.
    top_score : float or None
        The highest score (None when nobody is scored).
    break_even : BreakEven or None
        :func:`cxreport.churn_eval.break_even` at ``top_score``: the score from which a call
        pays, and the acceptance rate or the offer cost at which the best call would pay.
    economics : dict
        ``retained_value``, ``contact_cost``, ``offer_cost``, ``acceptance_rate``.
    """

    policy: str
    budget_contacts: int
    scored: int
    contacted: int
    paying: int
    losing: int
    expected_profit: float
    reached: float
    expected: float
    top_score: float | None
    break_even: churn_eval.BreakEven | None
    economics: dict

    @property
    def capped(self) -> bool:
        """More calls would pay than the budget allows.

        Returns
        -------
        bool
            ``paying > budget_contacts``.
        """
        return self.paying > self.budget_contacts

    def sentences(self, w: Wording, *, currency: str = "") -> list[str]:
        """The plan in plain words (first sentence: the decision).

        Parameters
        ----------
        w : Wording
            The page's words (:func:`wording`): its ``window`` and ``profit_caveat``.
        currency : str, default=""
            Written after the expected profits and the break-even offer cost (nothing when
            empty).

        Returns
        -------
        list of str
            In the report's language.
        """
        cur = f" {currency}" if currency else ""
        if self.contacted == 0 and self.paying == 0:
            return [self._nothing_pays(), *self._break_even_words(cur)]
        out = self._profit_words(cur) if self.policy == "profit" else self._budget_words(cur)
        if w.window:  # a sum of snapshot scores counts nothing, so it is not shown
            out.append(
                _(
                    "Together they account for {reached} of the {expected} customers expected "
                    "to leave within {window}.",
                    reached=f"{self.reached:,.1f}",
                    expected=f"{self.expected:,.1f}",
                    window=w.window,
                )
            )
        if w.profit_caveat:
            out.append(w.profit_caveat)
        return out

    def _nothing_pays(self) -> str:
        """The decision when no call pays: an empty list."""
        return _(
            "No contact pays at the stated costs, so the contact list is empty (0 of "
            "{n} customers).",
            n=f"{self.scored:,}",
        )

    def _profit_words(self, cur: str) -> list[str]:
        """The profit policy's list, and what limits it (the budget, or the calls that pay)."""
        out = [
            _(
                "{n} of {scored} customers are on the contact list (profit policy: calls "
                "whose expected profit is positive, at most {budget}); expected profit of "
                "calling them: {profit}.",
                n=f"{self.contacted:,}",
                scored=f"{self.scored:,}",
                budget=f"{self.budget_contacts:,}",
                profit=f"{self.expected_profit:,.0f}{cur}",
            )
        ]
        if self.capped:
            out.append(
                _(
                    "The budget is the limit: {paying} calls would pay, the team can make "
                    "{budget}.",
                    paying=f"{self.paying:,}",
                    budget=f"{self.budget_contacts:,}",
                )
            )
        elif self.contacted == 0:
            out.append(
                _(
                    "budget_contacts is 0: {paying} calls would pay at the stated costs, "
                    "but none is planned.",
                    paying=f"{self.paying:,}",
                )
            )
        else:
            out.append(
                _(
                    "Only {paying} calls pay at the stated costs, fewer than the budget of "
                    "{budget}.",
                    paying=f"{self.paying:,}",
                    budget=f"{self.budget_contacts:,}",
                )
            )
        return out

    def _budget_words(self, cur: str) -> list[str]:
        """The budget policy's list, with the warning when some of its calls lose money."""
        out = [
            _(
                "{n} of {scored} customers are on the contact list (budget policy: the top "
                "{budget} by score, paying or not); expected profit of calling them: "
                "{profit}.",
                n=f"{self.contacted:,}",
                scored=f"{self.scored:,}",
                budget=f"{self.budget_contacts:,}",
                profit=f"{self.expected_profit:,.0f}{cur}",
            )
        ]
        if self.losing:
            out.append(self.warning())
            if self.paying == 0:
                out += self._break_even_words(cur)
        return out

    def warning(self) -> str:
        """The warning that calls on the list lose money ("" when none does).

        Returns
        -------
        str
        """
        if not self.losing:
            return ""
        e = self.economics
        fields = dict(
            retained=f"{e['retained_value']:,.2f}",
            contact=f"{e['contact_cost']:,.2f}",
            offer=f"{e['offer_cost']:,.2f}",
            acceptance=f"{e['acceptance_rate']:.0%}",
            calls=f"{min(self.paying, self.budget_contacts):,}",
        )
        if self.losing == self.contacted:
            return _(
                "Warning: every one of these calls is below break-even at the stated costs "
                "(retained value {retained}, contact {contact}, offer {offer}, acceptance "
                "{acceptance}); the profit policy would make {calls} calls.",
                **fields,
            )
        return _(
            "Warning: {n} of these calls is below break-even at the stated costs (retained "
            "value {retained}, contact {contact}, offer {offer}, acceptance {acceptance}); the "
            "profit policy would make {calls} calls.",
            n=f"{self.losing:,}",
            **fields,
        )

    def _break_even_words(self, cur: str) -> list[str]:
        b, e = self.break_even, self.economics
        if b is None or self.top_score is None:
            return []
        out = []
        first = (
            _(
                "A call pays only for a customer whose score is above {p}",
                p=f"{b.probability:.1%}",
            )
            if b.probability is not None
            else _("At these costs no score, however high, makes a call pay")
        )
        best = float(
            churn_eval.contact_value(
                self.top_score,
                retained_value=e["retained_value"],
                contact_cost=e["contact_cost"],
                acceptance_rate=e["acceptance_rate"],
                offer_cost=e["offer_cost"],
            )
        )
        out.append(
            _(
                "{first}; the highest score among the customers scored is {top} (expected "
                "profit {profit} per call).",
                first=first,
                top=f"{self.top_score:.1%}",
                profit=f"{best:,.2f}{cur}",
            )
        )
        ways = []
        if b.acceptance_rate is not None:
            ways.append(
                _(
                    "an acceptance rate above {rate} (stated {stated})",
                    rate=f"{b.acceptance_rate:.1%}",
                    stated=f"{e['acceptance_rate']:.0%}",
                )
            )
        if b.offer_cost is not None:
            ways.append(
                _(
                    "an offer cost below {cost} (stated {stated})",
                    cost=f"{b.offer_cost:,.2f}{cur}",
                    stated=f"{e['offer_cost']:,.2f}",
                )
            )
        if len(ways) == 2:
            out.append(_("The best call would pay at {a} or {b}.", a=ways[0], b=ways[1]))
        elif ways:
            out.append(_("The best call would pay at {a}.", a=ways[0]))
        else:
            out.append(
                _(
                    "Neither a higher acceptance rate nor a cheaper offer makes the best call "
                    "pay: the contact cost alone exceeds its expected gain."
                )
            )
        return out


def contact_plan(
    targeted: pd.DataFrame,
    *,
    policy: str,
    budget_contacts: int,
    retained_value: float,
    contact_cost: float,
    acceptance_rate: float,
    offer_cost: float = 0.0,
) -> ContactPlan:
    """Summarise a :func:`targeting` table: list length, expected profit, break-even.

    The break-even is solved at the highest score (:func:`cxreport.churn_eval.break_even`):
    when no call pays, it says at which acceptance rate or offer cost the first one would.

    Parameters
    ----------
    targeted : pandas.DataFrame
        The table of :func:`targeting`: ``probability``, ``expected_profit``, ``contact``.
    policy : {"profit", "budget"}
        The policy the table was drawn with (kept for the words; not checked).
    budget_contacts : int
        The budget the table was drawn with.
    retained_value, contact_cost, acceptance_rate, offer_cost : float
        The economics the table was drawn with (as given to :func:`targeting`), for the
        break-even and the warnings; ``offer_cost`` default=0.0.

    Returns
    -------
    ContactPlan
    """
    contact = targeted["contact"].to_numpy(bool)
    profit = targeted["expected_profit"].to_numpy(float)
    p = targeted["probability"].to_numpy(float)
    economics = {
        "retained_value": float(retained_value),
        "contact_cost": float(contact_cost),
        "offer_cost": float(offer_cost),
        "acceptance_rate": float(acceptance_rate),
    }
    top = float(p.max()) if len(p) else None
    return ContactPlan(
        policy=policy,
        budget_contacts=int(budget_contacts),
        scored=len(targeted),
        contacted=int(contact.sum()),
        paying=int((profit > 0).sum()),
        losing=int((contact & (profit <= 0)).sum()),
        expected_profit=float(profit[contact].sum()),
        reached=float(p[contact].sum()),
        expected=float(p.sum()),
        top_score=top,
        break_even=None if top is None else churn_eval.break_even(top, **economics),
        economics=economics,
    )


def kpis(d: ChurnData, targeted: pd.DataFrame, plan: ContactPlan) -> list[dict]:
    """The month's churn KPIs as keyword arguments of ``run.record``, worded by ``d.mode``.

    History: ``churn_rate`` (the latest labelled cohort's churn within the window, Wilson
    95% CI), ``expected_lost`` (customers expected to leave within the next window: the sum
    of the probabilities, SE from their Bernoulli variance) and ``at_risk_count``.
    Snapshot: ``churn_rate`` holds the share of customers who have left (labelled so; the
    name stays for the index tile and month-on-month comparison), ``lookalike_count`` the
    active customers whose score is 50 % or more (most customers like them have left) and
    ``at_risk_count``. ``at_risk_count`` is always the real length of the contact list.

    Parameters
    ----------
    d : ChurnData
        The modelling table (its mode, cohort and dates).
    targeted : pandas.DataFrame
        The table of :func:`targeting`: ``probability`` of every customer scored.
    plan : ContactPlan
        :func:`contact_plan` of ``targeted``.

    Returns
    -------
    list of dict
        Three KPIs, ``churn_rate`` first, each with ``name``, ``value``, ``label``, ``note``,
        ``higher_is_better`` and, where known, ``unit``, ``ci``, ``se``, ``n``, ``previous``.
    """
    rate = _churn_rate(d)
    p = targeted["probability"].to_numpy(float)
    list_note = _list_note(plan)
    if d.snapshot:
        return _snapshot_kpis(rate, p, plan, list_note)
    return _history_kpis(d, rate, p, plan, list_note)


def _churn_rate(d: ChurnData) -> dict:
    """The ``churn_rate`` KPI's figures (Wilson 95% CI), with the cohort a month before when
    there is one."""
    from ..stats import wilson_interval

    k, n = observed_churn(d)
    lo, hi = wilson_interval(k, n)
    rate = dict(name="churn_rate", value=100 * k / n, unit="%", ci=(100 * lo, 100 * hi), n=n)
    before = previous_churn(d)
    if before is not None:
        (k0, n0), cohort = before
        lo0, hi0 = wilson_interval(k0, n0)
        rate["previous"] = dict(
            value=100 * k0 / n0,
            ci=(100 * lo0, 100 * hi0),
            label=_("the cohort of {month}", month=cohort),
        )
    return rate


def _list_note(plan: ContactPlan) -> str:
    """How the contact list was drawn, in words (and that no call pays, when none does)."""
    list_note = (
        _(
            "profit policy: calls with a positive expected profit, at most {budget}",
            budget=f"{plan.budget_contacts:,}",
        )
        if plan.policy == "profit"
        else _(
            "budget policy: the top {budget} by score, paying or not",
            budget=f"{plan.budget_contacts:,}",
        )
    )
    if plan.contacted == 0 and plan.paying == 0:
        list_note = _("{note}; no call pays at the stated costs", note=list_note)
    return list_note


def _snapshot_kpis(rate: dict, p: np.ndarray, plan: ContactPlan, list_note: str) -> list[dict]:
    """A snapshot's KPIs: the share who have left, the look-alikes, the contact list."""
    return [
        {
            **rate,
            "label": _("Share of customers who have left (undated snapshot)"),
            "higher_is_better": False,
            "note": _("every customer in the file; not a rate per month"),
        },
        {
            "name": "lookalike_count",
            "value": int((p >= 0.5).sum()),
            "label": _("Active customers most like those who left (score 50 % or more)"),
            "n": len(p),
            "higher_is_better": False,
            "note": _("at least half of the customers like them have left; not a forecast"),
        },
        {
            "name": "at_risk_count",
            "value": plan.contacted,
            "label": _("Customers on the contact list (most like those who left)"),
            "higher_is_better": None,
            "note": list_note,
        },
    ]


def _history_kpis(
    d: ChurnData, rate: dict, p: np.ndarray, plan: ContactPlan, list_note: str
) -> list[dict]:
    """Dated history's KPIs: the churn rate within the window, the customers expected to
    leave in the next one, the contact list."""
    h = int(d.horizon_months)
    return [
        {
            **rate,
            "label": _(
                "Churn rate: left within {within} of {day}",
                within=_n_months(h),
                day=f"{d.time.max():%Y-%m-%d}",
            ),
            "higher_is_better": False,
            "note": _("customers active on that date"),
        },
        {
            "name": "expected_lost",
            "value": float(p.sum()),
            "label": _("Customers expected to leave in {ahead}", ahead=_next(h)),
            "se": float(np.sqrt(np.sum(p * (1 - p)))),
            "n": len(p),
            "higher_is_better": False,
            "note": _("from {day}: the sum of the probabilities", day=f"{d.as_of:%Y-%m-%d}"),
        },
        {
            "name": "at_risk_count",
            "value": plan.contacted,
            "label": _("Customers on the contact list"),
            "higher_is_better": None,
            "note": list_note,
        },
    ]


def summary(
    w: Wording, plan: ContactPlan, metrics: dict | None = None, *, currency: str = ""
) -> list[str]:
    """The page's summary: what the scores can say, how good they are, whom to call.

    Parameters
    ----------
    w : Wording
        The page's words (:func:`wording`).
    plan : ContactPlan
        What the contact list is worth (:func:`contact_plan`).
    metrics : dict, optional
        Out-of-sample scores (:func:`cxreport.churn_eval.evaluate`: ``roc_auc``, ``pr_auc``,
        ``base_rate``, ``brier_skill``); None leaves out the sentence on them.
    currency : str, default=""
        Passed to :meth:`ContactPlan.sentences`.

    Returns
    -------
    list of str
        The sentences, in the report's language.
    """
    out = [w.scope]
    if metrics is not None:
        out.append(
            _(
                "Out of sample: ROC-AUC {auc}; {verdict} (section 3 gives the thresholds).",
                auc=f"{metrics['roc_auc']:.3f}",
                verdict=churn_eval.verdict_line(metrics, observed=w.observed),
            )
        )
    words = plan.sentences(w, currency=currency)
    # the decision, a warning about losing calls, and when nothing pays, what would
    if plan.contacted == 0 and plan.paying == 0:
        return out + words[:3]
    return out + words[:1] + ([plan.warning()] if plan.warning() else [])


def actions(at_risk: pd.DataFrame, *, currency: str = "") -> list[dict]:
    """The page's action: call the customers on the contact list (``customers``: the
    departures expected among them, the sum of their probabilities).

    Parameters
    ----------
    at_risk : pandas.DataFrame
        The contact list (:func:`at_risk_list`): ``probability`` and
        ``expected_value_at_risk``.
    currency : str, default=""
        Written before the value at risk (nothing when empty).

    Returns
    -------
    list of dict
        One action (``text``, ``evidence``, ``customers``), none for an empty list.
    """
    if at_risk.empty:
        return []
    value = float(at_risk["expected_value_at_risk"].sum())
    return [
        {
            "text": _("Call the {n} customers on the contact list", n=number(len(at_risk))),
            "evidence": _(
                "about {expected} of them are expected to leave (average probability {p});"
                " {value} expected value at risk",
                expected=number(at_risk["probability"].sum()),
                p=percent(at_risk["probability"].mean()),
                value=f"{currency}{number(value)}".strip(),
            ),
            "customers": float(at_risk["probability"].sum()),
        }
    ]
