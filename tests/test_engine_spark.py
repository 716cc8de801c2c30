"""The engine on Spark (Ibis' PySpark backend, a local session): the pandas path's numbers on
the sample. One session for the module; a few seconds of Spark work.

It needs a Java runtime: ``.ci/run`` installs Debian's when the machine has none, so the test
skips only where none can be had.
"""

from __future__ import annotations

import shutil

import pytest

from cxreport.data import engine
from cxreport.data.config import EngineConfig

pytest.importorskip("pyspark", reason="PySpark is not installed (pip install 'cxreport[spark]')")
if not shutil.which("java"):
    pytest.skip(
        "no Java runtime on this machine, which Spark needs (apt-get install "
        "default-jre-headless; .ci/run does it)",
        allow_module_level=True,
    )

from test_engine import pandas_and, same_churn_table, same_features, same_sqi  # noqa: E402


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    session = engine.spark_session(EngineConfig(master="local[1]"))
    try:
        yield pandas_and("spark", "snapshot", tmp_path_factory)
    finally:
        session.stop()


def test_features_on_spark(pair):
    plain, other = pair
    assert engine.engine_of(other).backend == "spark"
    same_features(plain, other)


def test_churn_table_on_spark(pair):
    same_churn_table(*pair)


def test_sqi_on_spark(pair):
    same_sqi(*pair)


def test_an_unreachable_cluster_is_named():
    cfg = EngineConfig(backend="spark", master="spark://127.0.0.1:9")
    with pytest.raises(engine.EngineError, match=r"127\.0\.0\.1:9"):
        engine.connect("spark", cfg)
