"""Records full of hostile text, and one factory for each parameter a view takes.

tests/unit/test_view_escaping.py renders every view with these; a view with a parameter
none of them fills fails there, naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.app import TIMELINE_KINDS
from bot.core.membership import Visible
from bot.core.timeline import KINDS
from bot.incidents.card import CardExtras
from bot.incidents.drafts import Source
from bot.incidents.file_rules import FileLimits
from bot.incidents.queries import TimelineExcerpt
from bot.incidents.report_files import SlackFile
from bot.incidents.report_modal import ReportPrefill
from bot.incidents.steps import PhaseView, StepView
from bot.insights.figure_types import Compliance, DeployFigures, OnCallLoad, Spread
from bot.insights.figures import Baseline, Figures
from bot.playbooks.model import Phase, Playbook, Role, Step
from bot.reviews.content import ActionItem, ReviewContent, TimelineEntry
from bot.sla.config import Schedule
from bot.sla.digest import DigestContent
from bot.sla.kinds import Page
from bot.sla.oncall import OnCallNow
from bot.sla.rotations import Shift
from bot.triage.catch_up import CatchUp, CatchUpText
from bot.triage.event_kinds import TriageEvent
from bot.triage.merge import Question
from bot.triage.views import ClosedNote
from storage.models import Issue, StepState, TimelineEvent
from storage.record_models import Deploy, DuplicateSuggestion, FollowUp
from storage.sla_models import SlaClock

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

# What a person or a tool could type: every kind of Slack markup, and then some.
HOSTILE = (
    "<!channel> <!here> <!everyone> <@U123> <@W123> <#C123> <!subteam^S123> "
    "<https://evil.example|docs> <http://evil.example> <mailto:x@evil.example|mail> "
    "*bold* _x_ ~y~ `z` &lt;!channel&gt; &amp; :skull: :rotating_light: > quote"
)


def long(limit: int) -> str:
    """Hostile text at a field's storage limit: escaping makes it up to 5 times longer."""
    return ((HOSTILE + " ") * (limit // len(HOSTILE) + 1))[:limit]


def typed(limit: int = 3000) -> list[str]:
    return [HOSTILE, long(limit)]


# Ids Firebell itself set (from Slack or its config): mentions of these are meant.
# Each starts FB so test_view_escaping.py can tell them from the ones in HOSTILE.
USER, OTHER, COMMANDER, ASSIGNEE, REPORTER = "UFBUSER", "UFBOTHER", "UFBLEAD", "UFBFIX", "UFBREP"
CHANNEL, TEAM = "CFBCHANNEL", "TFBTEAM"
TRUSTED = "https://trusted.example"  # links Firebell may make: config, Slack permalinks

# -- the hostile records ----------------------------------------------------------------


def issue(number: int = 7, **fields: Any) -> Issue:
    values: dict[str, Any] = {
        "id": number,
        "number": number,
        "idempotency_key": f"k{number}",
        "title": HOSTILE[:150],
        "type": "bug",
        "severity": "critical",
        "priority": "high",
        "service": HOSTILE[:80],
        "environment": HOSTILE,
        "description": HOSTILE,
        "stack_trace": HOSTILE,
        "trace_id": HOSTILE[:200],
        "users_affected": 12,
        "reporter_id": REPORTER,
        "commander_id": COMMANDER,
        "assignee_id": ASSIGNEE,
        "channel_id": CHANNEL,
        "channel_name": "inc-7",
        "source_permalink": f"{TRUSTED}/archives/C1/p1",
        "status": "assigned",
        "phase": "response",
        "playbook": "default",
        "occurrences": 3,
        "breached_at": NOW,
        "created_at": NOW - timedelta(hours=3),
        "acknowledged_at": NOW - timedelta(hours=2),
    }
    values.update(fields)
    return Issue(**values)


def issues() -> list[Issue]:
    """An open public issue; one at every storage limit, closed, private, whose reporter
    is an alert source named in markup; one whose "person" id is markup."""
    return [
        issue(),
        issue(
            8,
            title=long(150),
            service=long(80),
            environment=long(3000),
            description=long(40000),
            stack_trace=long(3000),
            trace_id=long(200),
            private=True,
            status="closed",
            closed_at=NOW,
            reporter_id="<!channel>",
            commander_id=None,
            assignee_id=None,
            acknowledged_at=None,
            source_permalink="https://evil.example|docs",
            playbook=HOSTILE[:60],
            context={  # a report from a browser: everything in it was sent by a stranger
                "via": HOSTILE,
                "browser": long(2000),
                "os": HOSTILE,
                "device": HOSTILE,
                "screen": HOSTILE,
                "page_url": long(2000),
                "pages": [HOSTILE] * 10,
                "console_errors": [{"message": long(2000), "stack": HOSTILE}] * 20,
            },
        ),
        issue(10, context={"via": "web", "browser": HOSTILE, "page_url": "`" + HOSTILE}),
        issue(9, reporter_id="U<!here>", status="retest", channel_id=None),
    ]


# Payload fields Firebell fills itself or checks against a fixed set; every other
# field of every event is hostile.
CHECKED_PAYLOAD: dict[str, Any] = {
    **{"before": "assigned", "after": "revise", "clock": "acknowledge", "role": "commander"},
    **{"step": 1, "steps": 3, "loop": 2, "occurrences": 4, "next_in": 1800, "percent": 80},
    **{"action_items": 2, "on": True, "escalating": True, "due": NOW.isoformat()},
    **{"user_id": USER, "channel_id": CHANNEL, "author": OTHER, "whom": f"<@{OTHER}>"},
    **{"targets": [f"<@{OTHER}>", "<!subteam^SFBGROUP>"], "link": f"{TRUSTED}/releases/1"},
}
TYPED_PAYLOAD = (
    "text reason impact title version service environment note source policy route key "
    "left target phase tool said state answer"
).split()


def events() -> list[TimelineEvent]:
    """One event of every registered kind, with people, tools and markup as actors; and
    releases whose link is not one Firebell may make."""
    KINDS.register(*TIMELINE_KINDS)
    actors = [USER, None, "<!channel>", "U<!here>", "alertmanager"]
    payload = {**dict.fromkeys(TYPED_PAYLOAD, HOSTILE), **CHECKED_PAYLOAD}
    found = [
        TimelineEvent(
            id=n,
            issue_id=7,
            at=NOW,
            actor_id=actors[n % len(actors)],
            kind=kind.value,
            payload={**payload, "steps": [HOSTILE], "versions": [HOSTILE]}
            if kind.value in {"phase_left_incomplete", "recent_deploys"}
            else payload,
        )
        for enum in TIMELINE_KINDS
        for n, kind in enumerate(enum)
    ]
    for link in ("https://evil.example|docs", "https://evil.example/>", "javascript:x"):
        found.append(
            TimelineEvent(issue_id=7, at=NOW, kind="deployed", payload={**payload, "link": link})
        )
    found.append(TimelineEvent(issue_id=7, at=NOW, kind="deployed", payload={}))
    found.append(TimelineEvent(issue_id=7, at=NOW, kind="no_longer_declared", payload=payload))
    return found


def visible() -> list[Visible]:
    return [Visible(issues(), private_hidden=2), Visible([])]


def figures() -> Figures:
    spread = Spread.of([60.0, 600.0])
    return Figures(
        since=NOW - timedelta(days=7),
        until=NOW,
        filed=4,
        closed=2,
        open_now=2,
        time_to_acknowledge=spread,
        time_to_fix=spread,
        time_to_deploy=Spread(),
        time_to_resolve=spread,
        sla={"acknowledge": Compliance(3, 1)},
    )


def baseline() -> Baseline:
    spread = Spread.of([60.0, 600.0])
    return Baseline(
        filed=3,
        time_to_acknowledge=spread,
        time_to_fix=Spread(),
        time_to_deploy=spread,
        deploys=DeployFigures(),
        oncall=OnCallLoad(),
    )


def review_content() -> list[ReviewContent]:
    text = long(3000)
    return [
        ReviewContent.model_construct(
            summary=text,
            customer_impact=text,
            detection=HOSTILE,
            response=f"<@{USER}> led; {HOSTILE}",
            resolution=HOSTILE,
            timeline=[TimelineEntry.model_construct(time=HOSTILE[:40], event=long(500))] * 60,
            root_cause=text,
            contributing_factors=[HOSTILE] * 20,
            went_well=[HOSTILE],
            went_badly=[long(3000)] * 20,
            action_items=[
                ActionItem(title=long(200), owner=USER, due_date=date(2026, 3, 9)),
                ActionItem(title=HOSTILE[:200]),
            ],
        )
    ]


def phase_views() -> list[PhaseView]:
    playbook = Playbook(name="default")
    plain = Step.model_construct(
        id="a", text=HOSTILE, required=True, owner=Role.COMMANDER, link=None, question=HOSTILE
    )
    linked = Step.model_construct(
        id="b", text=HOSTILE, required=False, owner=None, link=f"{TRUSTED}/runbook", question=None
    )
    said = {"answer": long(3000), "skip_reason": long(500)}
    done = StepState(issue_id=7, phase="response", step_id="b", state="done", actor_id=USER, **said)
    return [
        PhaseView(
            issues()[0], playbook, Phase.RESPONSE, [StepView(plain, None), StepView(linked, done)]
        )
    ]


def pages() -> list[Page]:
    base: dict[str, Any] = {"target": "user", "id": USER, "escalation_id": 1, "step": 1, "loop": 1}
    return [
        Page(clock="manual", by=OTHER, note=long(3000), **base),
        Page(clock="manual", by=OTHER, **base),
        Page(clock="acknowledge", reason="forced", by=OTHER, **base),
        Page(clock="acknowledge", reason="on_open", **base),
        Page(clock="resolve", reason="sla", percent=80, due=NOW.isoformat(), **base),
        Page(clock="resolve", reason="sla", percent=100, due=NOW.isoformat(), **base),
        Page(clock="update", **base),
    ]


def card_extras() -> list[CardExtras | None]:
    deploys = [
        Deploy(service=HOSTILE[:80], version=HOSTILE[:80], link=link)
        for link in (f"{TRUSTED}/r/1", "https://evil.example|docs", None, *["x"] * 4)
    ]
    return [
        CardExtras(
            deploys=deploys,
            deploy_window="2 hours",
            trace_links={HOSTILE: f"{TRUSTED}/trace/{{trace_id}}"},
            helpers={"comms": USER, "scribe": OTHER},
            duplicates=[("INC-2", [HOSTILE]), ("INC-3", [])],
            related=["INC-4"],
            merged_into="INC-5",
            reporters=3,
        ),
        None,
    ]


def catch_ups() -> list[CatchUp]:
    text = CatchUpText.model_construct(
        what_happened=long(1500),
        where_things_stand=f"<@{USER}> is on it. {HOSTILE}",
        who_is_on_it=HOSTILE,
        what_comes_next=HOSTILE,
    )
    return [
        CatchUp("INC-7", text, "record", HOSTILE, NOW, frozenset({USER})),
        CatchUp("INC-7", text, "model", None, NOW, frozenset({USER})),
    ]


def oncall_entries() -> list[list[Any]]:
    schedule = Schedule.model_construct(name=HOSTILE, timezone=HOSTILE)
    shift = Shift(USER, NOW, NOW + timedelta(days=7), override=True)
    return [[OnCallNow(schedule, shift, shift), OnCallNow(schedule, None, None)]]


def followup_rows() -> list[list[tuple[Any, Any]]]:
    rows = [
        FollowUp(id=1, issue_id=7, title=long(200), owner_id=USER, due_on=date(2026, 3, 9)),
        FollowUp(id=2, issue_id=7, title=HOSTILE),
    ]
    return [[(row, issues()[0]) for row in rows]]


def duplicates() -> list[list[tuple[DuplicateSuggestion, Issue]]]:
    return [
        [
            (
                DuplicateSuggestion(
                    issue_id=7, candidate_id=other.id, score=0.9, reasons=[HOSTILE]
                ),
                other,
            )
            for other in issues()
        ]
    ]


def sla_clocks() -> list[SlaClock]:
    return [
        SlaClock(issue_id=7, kind="acknowledge", due_at=NOW + timedelta(minutes=5), warned_at=NOW),
        SlaClock(issue_id=7, kind="resolve", due_at=NOW - timedelta(minutes=5)),
    ]


def digest_content() -> list[DigestContent]:
    listed = issues()
    return [
        DigestContent(
            listed, listed, listed, [(i, NOW - timedelta(days=9)) for i in listed], Visible([], 3)
        )
    ]


# -- a factory for each parameter -------------------------------------------------------

Factory = Callable[[], list[Any]]


def slack_files() -> tuple[SlackFile, ...]:
    """A message's files with hostile names: one kept, one refused, one unreadable."""
    return (
        SlackFile("F0000001", HOSTILE[:200] + ".png", "image/png", 2048),
        SlackFile("F0000002", HOSTILE[:60] + ".zip", "application/zip", 10),
        SlackFile("F0000003", HOSTILE[:60], "", None, "Slack no longer shows it"),
    )


# By annotation, for the types that say what they hold.
BY_TYPE: dict[str, Factory] = {
    "FileLimits | None": lambda: [FileLimits.of(["image/png", "text/plain"], 10 << 20), None],
    "tuple[tuple[str, str], ...]": lambda: [((HOSTILE, HOSTILE), (long(300), "too big")), ()],
    "Issue": issues,
    "TimelineEvent": events,
    "datetime": lambda: [NOW],
    "bool": lambda: [True, False],
    "int": lambda: [7],
    "int | None": lambda: [1800, None],
    "Visible": visible,
    "TimelineExcerpt": lambda: [
        TimelineExcerpt(events(), events()[:3], 400),
        TimelineExcerpt([], [], 0),
    ],
    "Figures": lambda: [figures()],
    "Baseline": lambda: [baseline()],
    "ReviewContent": review_content,
    "PhaseView": phase_views,
    "Page": pages,
    "CardExtras": lambda: card_extras()[:1],
    "CardExtras | None": card_extras,
    "CatchUp": catch_ups,
    "frozenset[str]": lambda: [frozenset({USER}), frozenset()],
    "dict[str, str]": lambda: [{HOSTILE: f"{TRUSTED}/trace/{{trace_id}}"}, {}],
    "list[SlaClock]": lambda: [sla_clocks(), []],
    "dict[int, list[SlaClock]]": lambda: [{7: sla_clocks()}],
    "list[tuple[DuplicateSuggestion, Issue]]": duplicates,
    "set[int]": lambda: [{8}, set()],
    "Question": lambda: [Question(8, "INC-8", 7, "INC-7", [USER, "<!channel>", *[OTHER] * 11])],
}

# By name, for plain strings and `Any`: what the name means decides who fills it.
BY_NAME: dict[str, Factory] = {
    # Issues under another name or type.
    "issue": issues,
    "into": issues,
    "content": digest_content,  # the digest's (a review's has its own type)
    "entries": oncall_entries,
    "rows": followup_rows,
    "prefill": lambda: [
        ReportPrefill(
            long(150), long(3000), Source("C1", "1.2", f"{TRUSTED}/p1"), HOSTILE, slack_files()
        ),
        ReportPrefill(HOSTILE, HOSTILE, Source("C1", "1.2", "https://evil.example|docs"), None),
    ],
    # What people and tools type.
    "title": lambda: typed(200),
    "text": typed,
    "impact": typed,
    "summary": typed,
    "note": lambda: [*typed(500), None],
    "step_text": lambda: typed(200),
    "question": lambda: typed(150),
    "query": lambda: typed(500),
    "trace_id": lambda: typed(200),
    "service": lambda: [*typed(80), None],
    # What Firebell fills: keys, ids, words it chose, values of a fixed set.
    "key": lambda: ["INC-7"],
    # Another slice's mrkdwn beside a follow-up: its Jira issue's link (the jira.url site).
    "notes": lambda: [{2: f"<{TRUSTED}/browse/OPS-2|OPS-2>"}, None],
    "web_link": lambda: [f"{TRUSTED}/issues/INC-7", None],  # FIREBELL_BASE_URL + a key
    # A closed lookalike's fix as someone typed it; its links as Firebell makes them.
    "closed": lambda: [
        {
            int(i.id or 0): ClosedNote(
                HOSTILE, f"{TRUSTED}/issues/INC-8", "https://evil.example/x|<!channel>"
            )
            for i in issues()
        },
        {int(i.id or 0): ClosedNote(long(3000)) for i in issues()},
        None,
    ],
    "merged_key": lambda: ["INC-8"],
    "other_key": lambda: ["INC-9"],
    "step_id": lambda: ["check-logs"],
    "user_id": lambda: [USER, None],
    "published_by": lambda: [OTHER, None],
    "by": lambda: [OTHER, None],
    "team_id": lambda: [TEAM, None],
    "channel_id": lambda: [CHANNEL, None],
    "other_channel": lambda: [CHANNEL, None],
    "who": lambda: [f"<@{OTHER}>", "<!subteam^SFBGROUP>", ""],
    "why": lambda: [f"<@{OTHER}> asked to escalate it now.", ""],
    "targets": lambda: [[f"<@{OTHER}>", "<!subteam^SFBGROUP>"], []],
    "target": lambda: ["fixed"],
    "phase": lambda: ["response"],
    "before": lambda: ["assigned"],
    "after": lambda: ["fixed", "closed"],
    "current": lambda: ["major"],
    "next_default": lambda: ["30m", "2h"],
    "clock": lambda: ["acknowledge", "update", "resolve"],
    "left": lambda: ["5m"],
    "due": lambda: ["2026-03-09", None],
    "reason": lambda: ["assigned", "due_soon", "overdue"],
    "source": lambda: ["model", "template"],
    "status": lambda: ["draft", "published"],
    "how": lambda: ["acknowledged", "fixed", "closed"],
    "kind": lambda: [TriageEvent.MERGED_INTO.value, TriageEvent.MERGED_FROM.value],
}
