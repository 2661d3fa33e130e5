"""What buttons and forms carry back is read by one bounded reader: ASCII digits, an
id a row can have, and a merge's two issues distinct; anything else is out of date."""

from __future__ import annotations

import pytest

from bot.core.errors import FirebellError
from bot.handlers.carried import STALE, form_issue, issue_id_of, other_issue_id_of, row_id
from storage.issue_key import LARGEST


@pytest.mark.parametrize(
    "raw", ["²", "١٢", "߁", "𝟙", "0", "-1", "+1", " 1", "1e3", "", str(LARGEST + 1), "9" * 5000]
)
def test_anything_but_an_id_a_row_can_have_is_out_of_date(raw: str) -> None:
    with pytest.raises(FirebellError) as refused:
        row_id(raw)
    assert refused.value.message == STALE


def test_ids_and_their_details() -> None:
    assert row_id(str(LARGEST)) == LARGEST and issue_id_of("7:fixed") == 7
    assert other_issue_id_of("7:12") == 12 and form_issue({"issue": "7"}) == 7
    for value in ("1:²", "1:999999999999", "1:1", "1:", "1", "²:1", "1:2:3"):
        with pytest.raises(FirebellError):
            other_issue_id_of(value)
