"""The issues a deploy fixes are read with IssueKey, like every other key."""

from __future__ import annotations

import pytest

from bot.detection.deploys import DeployIn, read_deploy
from bot.detection.validation import BadPayload


def test_fixes_and_the_description_name_issues_as_issue_key_reads_them() -> None:
    deploy = DeployIn(
        "api", "1.2", fixes=("inc-0042", " INC-7 "), description="Fixes: INC-9. See INC-5."
    )
    assert deploy.keys() == ["INC-7", "INC-9", "INC-42"]  # one spelling, sorted by number
    assert [key.number for key in deploy.keys()] == [7, 9, 42]


@pytest.mark.parametrize(
    "fixes", [["INC-0"], ["INC-99999999999"], ["INC-2147483648"], ["ticket 12"]]
)
def test_a_key_no_issue_can_have_is_refused_in_words(fixes: list[str]) -> None:
    with pytest.raises(BadPayload, match="fixes must be issue keys like INC-42, not "):
        read_deploy({"service": "s", "version": "v", "fixes": fixes})


def test_a_too_big_key_in_the_description_is_refused_too() -> None:
    with pytest.raises(BadPayload, match="not INC-99999999999"):
        read_deploy({"service": "s", "version": "v", "description": "fixes INC-99999999999"})
