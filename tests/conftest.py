"""Shared test set-up: paths, seeded randomness, figures closed after each test."""

from __future__ import annotations

import random
from pathlib import Path

import matplotlib
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _seed_and_close_figures():
    random.seed(0)
    np.random.seed(0)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def pytest_configure(config):
    # Tests draw figures without a screen; notebooks (run in their own kernels) keep the
    # inline backend so their HTML has images.
    matplotlib.use("Agg", force=True)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data sets not found at {SHARED_DATA}")
    return SHARED_DATA
