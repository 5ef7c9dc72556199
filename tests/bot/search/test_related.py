"""Related proposals pass the search's bar: fewer rather than weak ones."""

from __future__ import annotations

import pytest

from bot.search import SearchIndex, related
from bot.search.blend import Z_JOIN
from bot.search.semantic import view_of


@pytest.mark.parametrize("record_id", ["bpa24-17", "bpa24-7", "bpa24-6", "fhki23-5-4-6"])
def test_related_pass_the_bar(search_index: SearchIndex, record_id: str) -> None:
    assert search_index.vectors is not None
    position = search_index.position_of(record_id)
    assert position is not None
    view = view_of(search_index, search_index.vectors[position])
    for result in related(search_index, record_id):
        found = search_index.position_of(result.record.id)
        assert found is not None
        assert result.why == "both" or view.z[found] >= Z_JOIN


def test_strong_neighbours_stay_and_weak_ones_go(search_index: SearchIndex) -> None:
    pilot = {result.record.id for result in related(search_index, "bpa24-17")}  # 中試平台
    assert {"cma24-6", "cma23-5"} <= pilot  # the other 中試 proposals
    # A broad record (新質生產力) has few close neighbours: fewer are shown, not five.
    assert len(related(search_index, "bpa24-7")) < 5
