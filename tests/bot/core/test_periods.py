"""A document's period comes from its own title (fiscal years included), else its date."""

from __future__ import annotations

import pytest

from bot.core.periods import document_period


@pytest.mark.parametrize(
    ("titles", "date", "period"),
    [
        (("對2024-25年財政預算案的建議——務實推動新型工業化",), "2023-12", "2024-25"),
        (("Proposals for the 2024–2025 Budget",), "2023-12", "2024-25"),
        (("2023/24 Budget",), "2023-01", "2023-24"),
        (("對2023年施政報告的建議",), "2023", "2023"),
        (("推動新型工業化事宜小組委員會報告（立法會CB(1)993/2024號文件）",), "2024-07-10", "2024"),
        (("Report of the Subcommittee", "對2024年《施政報告》的建議"), "2023", "2024"),
        (("A submission", "意見書"), "2022-05", "2022"),
        (("Plan 2023-12 draft",), "2023", "2023"),  # not a fiscal year: 12 is no year after 2023
    ],
)
def test_period_as_the_document_states_it(titles: tuple[str, ...], date: str, period: str) -> None:
    assert document_period(titles, date) == period
