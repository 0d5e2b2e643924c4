"""Connected components: linked records, directly or through others, form one entity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sfsync_assets.lib.matching.graph import component_labels, components


def test_chains_and_stars_collapse_to_their_smallest_node() -> None:
    labels = component_labels(np.array([4, 3, 2, 6]), np.array([3, 2, 1, 5]), 7)
    assert labels.tolist() == [0, 1, 1, 1, 1, 5, 5]


def test_string_keys_and_links_to_unknown_records() -> None:
    nodes = pd.Series(["a", "b", "c", "d"])
    labels = components(nodes, pd.Series(["a", "c", "x"]), pd.Series(["b", "d", "a"]))
    assert labels["a"] == labels["b"] != labels["c"] == labels["d"]


def test_a_long_chain_resolves() -> None:
    size = 100_000
    labels = component_labels(np.arange(1, size), np.arange(0, size - 1), size)
    assert (labels == 0).all()
