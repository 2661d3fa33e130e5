"""One page-target type: every kind firebell.yml names and `/incident page` sends reads
the same way everywhere, and a pager's key never shows."""

from __future__ import annotations

import pytest

from bot.core.errors import FirebellError
from bot.sla.config import Target
from bot.sla.targets import PageTarget, Resolved, TargetKind, render, render_resolved


def test_every_configured_kind_is_a_target_kind_and_reads_in_words() -> None:
    assert set(Target.model_fields) == {k.value for k in TargetKind}
    shown = {
        kind: render(PageTarget.configured(Target.model_validate({kind.value: value})))
        for kind, value in [
            (TargetKind.USER, "U123"),
            (TargetKind.USERGROUP, "S123"),
            (TargetKind.SCHEDULE, "sre"),
            (TargetKind.CHANNEL, "C123"),
            (TargetKind.PAGERDUTY, "routing-key-secret"),
            (TargetKind.OPSGENIE, "api-key-secret"),
        ]
    }
    assert shown == {
        TargetKind.USER: "<@U123>",
        TargetKind.USERGROUP: "<!subteam^S123>",
        TargetKind.SCHEDULE: "whoever is on call for sre",
        TargetKind.CHANNEL: "<#C123>",
        TargetKind.PAGERDUTY: "PagerDuty",
        TargetKind.OPSGENIE: "Opsgenie",
    }
    assert not TargetKind.PAGERDUTY.is_slack and TargetKind.CHANNEL.is_slack


def test_the_page_command_kinds_are_accepted_and_others_refused() -> None:
    for kind in ("user", "usergroup", "schedule"):  # what /incident page sends today
        assert PageTarget.of(kind, "x").kind == kind
    with pytest.raises(FirebellError, match="`pager` is not something to page"):
        PageTarget.of("pager", "x")


def test_a_resolved_schedule_says_whom_it_chose() -> None:
    olga = Resolved(PageTarget(TargetKind.USER, "U9"), schedule="primary")
    assert render_resolved(olga) == "<@U9> (on call for primary)"
    assert render_resolved(Resolved(PageTarget(TargetKind.USERGROUP, "S1"))) == "<!subteam^S1>"
