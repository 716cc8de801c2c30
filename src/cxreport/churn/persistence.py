"""The saved model: the bundle and its model card (:func:`save_model`, :func:`load_model`),
and the backtest of last month's model on the months it never saw."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd

from .. import churn_eval
from ..errors import CxReportError
from .models import MODEL_NAMES
from .scoring import categories, reference, score
from .table import ChurnData
from .validation import ChurnFit


def model_card(result: ChurnFit) -> dict:
    """What the saved model is: features, training period, metrics, versions.

    Parameters
    ----------
    result : ChurnFit
        The fit to describe (:func:`~.validation.fit`).

    Returns
    -------
    dict
        JSON-ready: ``model``, ``kind``, ``calibration``, ``mode``, ``horizon_months``, the
        training period and rows, the features, the validation metrics, the choice and the
        scikit-learn and cxreport versions.
    """
    import sklearn

    from .._version import __version__

    d = result.data
    s = result.summary.loc[result.chosen]
    return {
        "model": MODEL_NAMES[result.chosen],
        "kind": result.chosen,
        "calibration": result.calibration,
        "mode": d.mode,
        "horizon_months": d.horizon_months,  # None for a snapshot: no window was learnt
        "training_period": d.period,
        "last_observation": None if d.time is None else f"{d.time.max():%Y-%m-%d}",
        "scored_as_of": None if d.snapshot else f"{d.as_of:%Y-%m-%d}",
        "rows": int(len(d.y)),
        "churners": int(d.y.sum()),
        "features": {"numeric": d.spec.numeric, "categorical": d.spec.categorical},
        "excluded": d.spec.excluded,
        "categories_seen": categories(d),
        "validation": result.validation,
        "metrics": {k: (None if pd.isna(v) else round(float(v), 4)) for k, v in s.items()},
        "out_of_sample": {k: round(float(v), 4) for k, v in result.metrics.items()},
        "choice": result.reason,
        "sklearn_version": sklearn.__version__,
        "cxreport_version": __version__,
    }


def save_model(result: ChurnFit, folder: str | Path) -> tuple[Path, Path]:
    """Write ``churn_model.joblib`` (model, features, reference values) and
    ``churn_model_card.json`` into ``folder``; return both paths.

    Parameters
    ----------
    result : ChurnFit
        The fit to save (:func:`~.validation.fit`).
    folder : str or pathlib.Path
        Where to write; created if missing. Existing files are replaced.

    Returns
    -------
    tuple of pathlib.Path
        The bundle's path and the model card's.
    """
    import joblib

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    card = model_card(result)
    bundle = {
        "model": result.model,
        "spec": result.data.spec,
        "reference": reference(result.data.X, result.data.spec),
        "categories": categories(result.data),
        "card": card,
    }
    path = folder / "churn_model.joblib"
    tmp = path.with_suffix(".joblib.tmp")
    joblib.dump(bundle, tmp)
    tmp.replace(path)
    cpath = folder / "churn_model_card.json"
    cpath.write_text(json.dumps(card, indent=2, default=str), encoding="utf-8")
    return path, cpath


def load_model(path: str | Path) -> dict:
    """Read a bundle written by :func:`save_model`, with a clear message when it cannot be
    used (missing, unreadable, or written by another scikit-learn version).

    Parameters
    ----------
    path : str or pathlib.Path
        The ``churn_model.joblib`` file.

    Returns
    -------
    dict
        The bundle as :func:`save_model` wrote it: ``model``, ``spec``, ``reference``,
        ``categories`` and ``card``.
    """
    import joblib
    import sklearn

    path = Path(path)
    if not path.is_file():
        raise CxReportError(
            f"No saved churn model at {path}; run once with "
            f"reuse_model=False to train and save one."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bundle = joblib.load(path)
    except Exception as exc:  # joblib/pickle raise many types for a broken file
        raise CxReportError(
            f"The saved churn model {path} cannot be read ({exc}); retrain with reuse_model=False."
        ) from None
    if not isinstance(bundle, dict) or not {"model", "spec", "card"} <= set(bundle):
        raise CxReportError(
            f"{path} is not a churn model saved by cxreport; retrain with reuse_model=False."
        )
    saved = bundle["card"].get("sklearn_version")
    if saved != sklearn.__version__:
        raise CxReportError(
            f"The saved churn model was written with scikit-learn {saved}, "
            f"this environment has {sklearn.__version__}; retrain with "
            f"reuse_model=False."
        )
    return bundle


def backtest(bundle: dict, d: ChurnData) -> tuple[dict, int] | None:
    """Score a saved model on the labelled rows observed after its training data.

    With history, the rows this month's table labels but the saved model never saw (observation
    dates after the model card's ``last_observation``) are a true out-of-time test of last
    month's model. Returns (:func:`cxreport.churn_eval.evaluate` scores, number of rows), or
    None when there are no such rows with both classes (snapshot data, or no new month).

    Parameters
    ----------
    bundle : dict
        A saved model, as :func:`load_model` returns it.
    d : ChurnData
        This month's modelling table.

    Returns
    -------
    tuple of (dict, int) or None
        The scores and the number of rows, or None (above).
    """
    last = bundle["card"].get("last_observation")
    if d.time is None or not last:
        return None
    new = (d.time > pd.Timestamp(last)).to_numpy()
    y = d.y[new]
    if not new.any() or y.min() == y.max():
        return None
    p, _reasons = score(bundle["model"], d.X[new], d.ids[new], spec=bundle["spec"])
    return churn_eval.evaluate(y, p["probability"]), int(new.sum())
