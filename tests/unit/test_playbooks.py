"""Playbooks: validation that names the file, the step and the problem; choosing one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import FirebellConfig
from bot.core.errors import ConfigError
from bot.incidents.checklist_views import checklist_message
from bot.incidents.steps import PhaseView, StepView
from bot.playbooks.loader import load_playbooks
from bot.playbooks.model import MAX_STEPS
from sandbox.blockkit import message_problems
from storage.models import Issue

GOOD = """
name: payments
applies_to: {types: [outage], severities: [critical]}
phases:
  detection:
    - {id: page-psp, text: Page the payment provider, required: true, owner: comms}
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_builtin_playbooks_are_chosen_by_type_and_severity() -> None:
    books = load_playbooks()
    assert books.choose("outage", "critical").name == "outage"
    assert books.choose("performance", "major").name == "outage"
    assert books.choose("outage", "minor").name == "default"
    assert books.choose("security", "trivial").name == "security"
    assert books.choose("ui/ux", "minor").name == "bug"
    assert books.choose("compliance", "major").name == "default"
    assert books.get("security").private


def test_a_team_playbook_is_added_and_the_most_specific_wins(tmp_path: Path) -> None:
    write(tmp_path / "team", "payments.yml", GOOD)
    books = load_playbooks(tmp_path / "team")
    assert books.choose("outage", "critical").name == "payments"
    assert books.choose("outage", "major").name == "outage"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            GOOD.replace("owner: comms", "owner: boss"),
            "payments.yml: phases.detection[1] (step 'page-psp'): owner: Input should be "
            "'commander', 'assignee', 'comms' or 'scribe'",
        ),
        (
            GOOD.replace("required: true", "required: true, colour: red"),
            "payments.yml: phases.detection[1] (step 'page-psp'): colour: Extra inputs are not "
            "permitted",
        ),
        (GOOD.replace("detection:", "triage:"), "payments.yml: phases.triage: Input should be"),
        (
            GOOD.replace("id: page-psp", "id: Page PSP"),
            "payments.yml: phases.detection[1] (step 'Page PSP'): id: String should match pattern",
        ),
        (
            GOOD.replace("[critical]", "[apocalyptic]"),
            "payments.yml: applies_to.severities[1]: Input should be 'trivial'",
        ),
        (
            GOOD + "  response:\n    - {id: page-psp, text: Again}\n",
            "payments.yml: (top): Value error, step id 'page-psp' is used twice "
            "(again in response)",
        ),
        ("name: [unclosed\n", "payments.yml: not valid YAML at line 2"),
        ("- just a list\n", "payments.yml: expected a playbook"),
    ],
)
def test_a_bad_playbook_stops_start_up_naming_file_step_and_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = write(tmp_path / "team", "payments.yml", text)
    with pytest.raises(ConfigError) as caught:
        load_playbooks(tmp_path / "team")
    assert str(caught.value).startswith(str(path.parent) + "/")
    assert problem in str(caught.value)


def test_too_many_steps_in_a_phase_are_refused(tmp_path: Path) -> None:
    steps = "".join(f"    - {{id: s{i}, text: Step {i}}}\n" for i in range(MAX_STEPS + 1))
    write(tmp_path / "team", "long.yml", f"name: long\nphases:\n  response:\n{steps}")
    with pytest.raises(ConfigError, match=r"long.yml: phases.response: List should have at most"):
        load_playbooks(tmp_path / "team")


def test_a_missing_team_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="the playbooks folder does not exist"):
        load_playbooks(tmp_path / "nope")


def test_start_up_stops_on_a_bad_team_playbook(tmp_path: Path, database_url: str) -> None:
    from bot.app import create_app
    from bot.config import Settings

    write(tmp_path / "team", "bad.yml", "name: bad\nphases: {response: [{text: no id}]}\n")
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match=r"bad.yml: phases.response\[1\]: id: Field required"):
        create_app(settings, config=FirebellConfig(playbooks_dir=tmp_path / "team"))


def test_the_longest_checklist_fits_in_one_message() -> None:
    from datetime import UTC, datetime

    from bot.playbooks.model import Phase, Playbook, Step

    long_text = "x" * 200
    steps = [
        Step(
            id=f"s{i}",
            text=long_text,
            required=True,
            owner="commander",
            link="https://runbooks.example.com/" + "p" * 100,
            question="q" * 150,
        )
        for i in range(MAX_STEPS)
    ]
    book = Playbook(name="long", phases={Phase.RESPONSE: steps})
    issue = Issue(
        id=1,
        number=99999,
        idempotency_key="k",
        title="t",
        type="bug",
        severity="minor",
        reporter_id="U1",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    view = PhaseView(issue, book, Phase.RESPONSE, [StepView(s, None) for s in steps])
    _, blocks = checklist_message(view)
    assert message_problems(blocks) == []
