"""The ``segments`` block of cxreport.yaml: which customer attributes to cluster on without
transactions, and which column(s) hold each customer's value."""

from __future__ import annotations

import pytest

from cxreport.data.config import load_config
from cxreport.errors import ConfigError


def _config(tmp_path, text: str):
    (tmp_path / "cxreport.yaml").write_text(text, encoding="utf-8")
    return load_config(tmp_path)


def test_segments_block_is_read(tmp_path):
    c = _config(tmp_path, "segments:\n  attributes: [Fresh, Milk]\n  value: Fresh\n")
    assert c.segment_attributes == ("Fresh", "Milk") and c.segment_value == ("Fresh",)
    c = _config(tmp_path, "segments:\n  value: [Fresh, Milk]\n")
    assert c.segment_attributes == () and c.segment_value == ("Fresh", "Milk")
    assert _config(tmp_path, "report: {title: x}\n").segment_value == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("segments:\n  attribute: [a]\n", "Did you mean 'attributes'"),
        ("segments:\n  attributes: []\n", "attributes"),
        ("segments:\n  attributes: [a, a]\n", "attributes"),
        ("segments:\n  value: 3\n", "value"),
    ],
)
def test_segments_block_is_checked(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        _config(tmp_path, text)
