"""The one INC-n type: every surface reads keys through it, with the same bounds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli import main
from storage.issue_key import LARGEST, IssueKey, NoSuchKey, NotAKey


@given(st.integers(min_value=1, max_value=LARGEST))
def test_a_key_reads_back_as_itself(number: int) -> None:
    key = IssueKey(number)
    assert key == f"INC-{number}" and IssueKey.parse(key.lower()).number == number


@pytest.mark.parametrize("text", ["INC-0", "INC-2147483648", "inc-" + "9" * 5000])
def test_keys_no_issue_can_have_are_refused_with_a_short_answer(text: str) -> None:
    with pytest.raises(NoSuchKey) as refused:
        IssueKey.parse(text)
    assert str(refused.value).startswith("There is no INC-") and len(str(refused.value)) < 40


@pytest.mark.parametrize("text", ["42", "INC42", "INC-4a", "BUG-4", ""])
def test_other_words_are_not_keys(text: str) -> None:
    with pytest.raises(NotAKey):
        IssueKey.parse(text)


def test_keys_in_free_text_stand_alone() -> None:
    assert IssueKey.find_all("fixes INC-4, closes inc-0005. xINC-6 INC-7a") == ["INC-4", "INC-0005"]
    assert IssueKey.parse("INC-0005") == "INC-5"


def test_the_cli_reads_keys_the_same_way(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "export", "INC-x"]) == 2
    assert "not an issue key" in capsys.readouterr().err
