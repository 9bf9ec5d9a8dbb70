"""The verdict's evidence measure: its quick forms against the plain ones."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from reuse.tiers.verdict import _found_in

_hashes = st.lists(st.integers(0, 40) | st.integers(0, 2**64 - 1), max_size=120)


@hsettings(max_examples=300, deadline=None)
@given(values=_hashes, other=_hashes)
def test_found_in_is_isin(values, other):
    a, b = np.array(values, dtype=np.uint64), np.array(other, dtype=np.uint64)
    assert _found_in(a, b).tolist() == np.isin(a, b).tolist()
