"""The data contract: which tables a data folder may hold and what their columns mean.

This module only *describes* the tables. :mod:`cxreport.data` reads files into them and
:mod:`cxreport.validation` checks them. The README's "Data contract" section is written from
the same definitions (``python -m cxreport.contract`` prints it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Kinds of column. ``id`` and ``str`` are text, ``date`` is a calendar day, ``datetime`` a
#: moment, ``float``/``int`` numbers, ``bool`` a yes/no flag.
KINDS = ("id", "str", "date", "datetime", "float", "int", "bool")

EODC_STAGES = ("explore", "offer", "do", "confirm")
#: Complaint states: the first two are open cases, the last two are finished ones.
COMPLAINT_STATUSES = ("open", "pending", "solved", "closed")
OPEN_STATUSES = COMPLAINT_STATUSES[:2]
SWOT_KINDS = ("S", "W", "O", "T")


@dataclass(frozen=True)
class Column:
    """One column of a contract table: its name, kind and the rules its values follow.

    Attributes
    ----------
    name : str
        The column's name in the contract.
    kind : str
        One of :data:`KINDS`.
    doc : str
        What the column means (the README's "meaning").
    required : bool, default=True
        Whether a file of the table must have the column.
    nullable : bool, default=False
        Whether cells may be empty.
    allowed : tuple or None, default=None
        The only values allowed, if any.
    min, max : float or None, default=None
        Smallest and largest allowed values (inclusive), if any.
    unique : bool, default=False
        Whether no two rows may share a value.
    references : str or None, default=None
        The key this column points to, ``"table.column"``, if any.
    """

    name: str
    kind: str
    doc: str
    required: bool = True
    nullable: bool = False
    allowed: tuple | None = None
    min: float | None = None
    max: float | None = None
    unique: bool = False
    references: str | None = None  # "table.column"


@dataclass(frozen=True)
class Table:
    """One table of the contract: its name, meaning and columns.

    Attributes
    ----------
    name : str
        The table's name (also the file name a data folder uses for it).
    doc : str
        What one row of the table is.
    columns : tuple of Column
        The columns the contract names.
    extra_columns : bool, default=False
        Whether columns the contract does not name are kept (else they are dropped).
    extra_doc : str, default=""
        A paragraph on those extra columns for the README.
    notes : tuple of str, default=()
        Further paragraphs for the README.
    """

    name: str
    doc: str
    columns: tuple[Column, ...]
    extra_columns: bool = False  # keep columns the contract does not name
    extra_doc: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        """The column called ``name``.

        Parameters
        ----------
        name : str
            A column name of the contract.

        Returns
        -------
        Column
            The first column of :attr:`columns` with that name (``StopIteration`` if none).
        """
        return next(c for c in self.columns if c.name == name)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "customers",
            "One row per customer (CRM export).",
            (
                Column("customer_id", "id", "Customer identifier.", unique=True),
                Column("signup_date", "date", "Day the relationship began.", required=False),
                Column("region", "str", "Sales region.", required=False, nullable=True),
                Column(
                    "channel",
                    "str",
                    "Acquisition or main channel (online, store, ...).",
                    required=False,
                    nullable=True,
                ),
                Column(
                    "plan", "str", "Price plan or contract type.", required=False, nullable=True
                ),
                Column(
                    "monthly_fee",
                    "float",
                    "Recurring fee per month.",
                    required=False,
                    nullable=True,
                    min=0,
                ),
                Column("churned", "bool", "Has the customer left?", required=False),
                Column(
                    "churn_date",
                    "date",
                    "Day the customer left (empty while active).",
                    required=False,
                    nullable=True,
                ),
            ),
            extra_columns=True,
            extra_doc="Any other column is kept as a customer attribute (numbers stored as text "
            "with blanks, such as Telco's `TotalCharges`, become numbers). Without "
            "transactions the segmentation clusters on the numeric attributes (detected, or "
            "`segments.attributes` of `cxreport.yaml`).",
            notes=("`churn_date` must not precede `signup_date`.",),
        ),
        Table(
            "transactions",
            "One row per purchase, order line or invoice.",
            (
                Column("customer_id", "id", "Buyer.", references="customers.customer_id"),
                Column("date", "date", "Purchase day."),
                Column("amount", "float", "Value in the report currency; negative = return."),
                Column("order_id", "id", "Order number.", required=False, nullable=True),
                Column(
                    "category", "str", "Product or service category.", required=False, nullable=True
                ),
            ),
        ),
        Table(
            "survey",
            "One row per survey response (wide: one column per question).",
            (
                Column(
                    "response_id",
                    "id",
                    "Response identifier (numbered by file line when the column is absent).",
                    required=False,
                    unique=True,
                ),
                Column(
                    "customer_id",
                    "id",
                    "Respondent, when known.",
                    required=False,
                    nullable=True,
                    references="customers.customer_id",
                ),
                Column(
                    "date",
                    "date",
                    "Day answered (without it the file is one period).",
                    required=False,
                ),
                Column(
                    "nps",
                    "int",
                    "Likelihood to recommend, 0-10.",
                    required=False,
                    nullable=True,
                    min=0,
                    max=10,
                ),
                Column(
                    "overall_satisfaction",
                    "float",
                    "Overall satisfaction on the declared `survey.overall_scale`.",
                    required=False,
                    nullable=True,
                ),
                Column(
                    "touchpoint",
                    "str",
                    "Touchpoint that triggered the survey, if any.",
                    required=False,
                    nullable=True,
                ),
                Column(
                    "duration",
                    "float",
                    "Completion time in seconds (response-quality screening).",
                    required=False,
                    nullable=True,
                ),
                Column(
                    "comment",
                    "str",
                    "The respondent's own words (free text).",
                    required=False,
                    nullable=True,
                ),
                Column(
                    "ip",
                    "str",
                    "Respondent's IP address or device id, used only to find "
                    "duplicate submissions.",
                    required=False,
                    nullable=True,
                ),
            ),
            extra_columns=True,
            extra_doc="Item columns as declared in `survey.items` of `cxreport.yaml` (default: "
            "the 22 SERVQUAL-style items T1-T4, R1-R5, SP1-SP4, A1-A4, E1-E5 on 1-7): the "
            "perception score in `<item>`, the expectation in `<item>_exp` and the importance "
            "in `<item>_imp`, each optional and each on the item's declared scale.",
        ),
        Table(
            "touchpoints",
            "Moments of Truth: one row per customer contact.",
            (
                Column("customer_id", "id", "Customer.", references="customers.customer_id"),
                Column("date", "datetime", "When the contact happened."),
                Column(
                    "touchpoint",
                    "str",
                    "Where: website, call_centre, delivery, billing, store, repair, ...",
                ),
                Column(
                    "stage",
                    "str",
                    "EODC stage: explore, offer, do or confirm.",
                    required=False,
                    nullable=True,
                    allowed=EODC_STAGES,
                ),
                Column(
                    "outcome",
                    "str",
                    "`ok`, or a failure type listed in `sqi.weights` of `cxreport.yaml`.",
                ),
            ),
        ),
        Table(
            "complaints",
            "One row per complaint case.",
            (
                Column("complaint_id", "id", "Case identifier.", unique=True),
                Column(
                    "customer_id",
                    "id",
                    "Complainant (empty or absent: an anonymous ticket).",
                    required=False,
                    nullable=True,
                    references="customers.customer_id",
                ),
                Column("opened", "date", "Day the case was opened."),
                Column(
                    "resolved",
                    "date",
                    "Day the case was closed (empty while open).",
                    required=False,
                    nullable=True,
                ),
                Column(
                    "category", "str", "What the complaint is about.", required=False, nullable=True
                ),
                Column("channel", "str", "How it reached us.", required=False, nullable=True),
                Column("reopened", "bool", "Was the case reopened?", required=False),
                Column(
                    "satisfaction_after",
                    "int",
                    "Satisfaction with the handling, 1-5.",
                    required=False,
                    nullable=True,
                    min=1,
                    max=5,
                ),
                Column("text", "str", "The customer's words.", required=False, nullable=True),
                Column(
                    "status",
                    "str",
                    "open or pending (an open case), solved or closed; map your codes with "
                    "`recode` in `cxreport.yaml`. Without it a case is open while `resolved` "
                    "is empty.",
                    required=False,
                    nullable=True,
                    allowed=COMPLAINT_STATUSES,
                ),
                Column(
                    "first_contact_resolved",
                    "bool",
                    "Was it settled at the first contact?",
                    required=False,
                    nullable=True,
                ),
                Column(
                    "due",
                    "date",
                    "Day the case is due (without it: `opened` + `complaints.sla_days` of "
                    "`cxreport.yaml` for its category).",
                    required=False,
                    nullable=True,
                ),
            ),
            notes=("`resolved` must not precede `opened`.",),
        ),
        Table(
            "self_assessment",
            "Customer-orientation self-assessment: one row per respondent and item.",
            (
                Column("respondent_id", "id", "Staff respondent (anonymous code)."),
                Column("department", "str", "Respondent's department."),
                Column("item", "str", "Item code from the item bank, CO01-CO40."),
                Column("score", "int", "1 = not at all ... 5 = very much.", min=1, max=5),
                Column("date", "date", "Day answered.", required=False, nullable=True),
            ),
        ),
        Table(
            "swot_factors",
            "SWOT workshop output: one row per factor.",
            (
                Column("kind", "str", "S, W, O or T.", allowed=SWOT_KINDS),
                Column("factor", "str", "The factor in plain words."),
                Column(
                    "weight",
                    "float",
                    "Importance within its matrix (IFE: S+W, EFE: O+T); normalised to sum to 1.",
                    min=0,
                ),
                Column(
                    "rating",
                    "int",
                    "1-4 (IFE: 1 major weakness ... 4 major strength; "
                    "EFE: 1 poor ... 4 superior response).",
                    min=1,
                    max=4,
                ),
            ),
        ),
        Table(
            "swot_pairwise",
            "Optional AHP-SWOT comparisons on Saaty's 1-9 scale.",
            (
                Column(
                    "group",
                    "str",
                    "S, W, O, T (factors within a group) or SWOT (the four "
                    "groups against each other).",
                    allowed=(*SWOT_KINDS, "SWOT"),
                ),
                Column("a", "str", "First factor (or group letter)."),
                Column("b", "str", "Second factor (or group letter)."),
                Column(
                    "value",
                    "float",
                    "How much more important a is than b: 1/9 ... 9.",
                    min=1 / 9 - 1e-9,
                    max=9,
                ),
            ),
        ),
        Table(
            "targets",
            "Optional targets or benchmarks per CSI dimension (0-100).",
            (
                Column("dimension", "str", "A survey dimension."),
                Column("target", "float", "Score on the 0-100 CSI scale.", min=0, max=100),
                Column(
                    "label",
                    "str",
                    "What the figure is: target, competitor A, last year...",
                    required=False,
                    nullable=True,
                ),
            ),
        ),
    )
}


def describe() -> str:
    """The contract as Markdown (used for the README).

    Returns
    -------
    str
        One section per table of :data:`TABLES`: a heading, a table of its columns, its notes.
    """
    out = []
    for t in TABLES.values():
        out.append(f"### `{t.name}` — {t.doc}\n")
        out.append("| column | type | required | allowed | meaning |")
        out.append("|---|---|---|---|---|")
        for c in t.columns:
            rng = ""
            if c.allowed:
                rng = ", ".join(map(str, c.allowed))
            elif c.min is not None or c.max is not None:
                lo = "" if c.min is None else f"{c.min:g}"
                hi = "" if c.max is None else f"{c.max:g}"
                rng = f"{lo} … {hi}"
            flags = "yes" if c.required else "no"
            if c.nullable:
                flags += ", may be empty"
            if c.unique:
                rng = (rng + "; " if rng else "") + "unique"
            if c.references:
                rng = (rng + "; " if rng else "") + f"→ `{c.references}`"
            out.append(f"| `{c.name}` | {c.kind} | {flags} | {rng} | {c.doc} |")
        if t.extra_doc:
            out.append(f"\n{t.extra_doc}")
        for n in t.notes:
            out.append(f"\n{n}")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(describe())
