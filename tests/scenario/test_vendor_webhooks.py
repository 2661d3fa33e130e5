"""GitHub releases and deployments, New Relic, Rollbar and PagerDuty's own webhooks,
over HTTP from the sandbox's senders (the vendors' headers, signatures and shapes)."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox, vendor_hooks
from storage.models import AlertGroup, Deploy, Issue, TimelineEvent
from tests.helpers import file_another, file_report, fresh, issues, people

DATA = Path(__file__).parent.parent / "data" / "github"
TOKEN = "vendor-token-0123456789"
GITHUB_SECRET = "github-secret-0123456789"
PD_SECRET = "pagerduty-secret-0123456789"
PD_KEY = "R0123456789ABCDEF0123456789ABCDE"
REPO = "Codertocat/Hello-World"  # the repository of GitHub's own examples


def config(sandbox: Sandbox) -> FirebellConfig:
    return FirebellConfig.model_validate(
        {
            "webhooks": {
                "tokens": {"newrelic": TOKEN, "rollbar": TOKEN},
                "github_secret": GITHUB_SECRET,
                "github_services": {REPO: "checkout"},
                "pagerduty_secret": PD_SECRET,
            },
            "escalation_policies": [
                {
                    "name": "pagerduty",
                    "start": "on_open",
                    "on_open_severities": ["critical"],
                    "steps": [{"targets": [{"pagerduty": PD_KEY}], "wait": "10m"}],
                }
            ],
            "paging": {"pagerduty_url": sandbox.base_url + "pagerduty/v2/enqueue"},
        }
    )


@pytest.fixture
async def hv(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    sandbox = await Sandbox().start()
    try:
        async with running(database_url, clock=clock, config=config(sandbox), sandbox=sandbox) as h:
            yield h
    finally:
        await sandbox.stop()


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    return copy.deepcopy(loaded)


def timeline(h: Harness, issue: Issue) -> list[TimelineEvent]:
    with h.firebell.runtime.db.session() as session:
        query = select(TimelineEvent).where(TimelineEvent.issue_id == issue.id)
        return list(session.exec(query.order_by(col(TimelineEvent.id))))


def deploys(h: Harness) -> list[Deploy]:
    with h.firebell.runtime.db.session() as session:
        return list(session.exec(select(Deploy)))


def channel_texts(h: Harness, issue: Issue) -> list[str]:
    return [m.text for m in h.ws.messages_in(issue.channel_id or "")]


# -- GitHub ------------------------------------------------------------------------
async def github(h: Harness, event: str, body: dict[str, Any], **kw: Any) -> tuple[int, Any]:
    answer = await vendor_hooks.github(
        f"{h.bot_url}/webhooks/github", GITHUB_SECRET, event, body, **kw
    )
    await h.firebell.settle()
    return answer


async def test_a_published_release_that_fixes_an_issue_records_the_deploy_once(
    hv: Harness, clock: FakeClock
) -> None:
    h = hv
    dana, _sam, support = people(h)
    issue = await file_report(h, dana, support, severity="minor")
    release = example("release.published")
    release["release"]["body"] = "Checkout totals again.\n\nFixes inc-1, INC-77"
    release["release"]["published_at"] = clock.now().isoformat()  # GitHub's time is the deploy's
    forged = await github(h, "release", release, forged=True)
    assert forged[0] == 401 and "X-Hub-Signature-256 does not match" in forged[1]["detail"]
    assert deploys(h) == [] and fresh(h.firebell.runtime.db, issue).status == "new"

    status, answer = await github(h, "release", release, delivery="72d3162e-cc78-11e3-81ab")
    assert (status, answer["fixes"], answer["unknown"]) == (201, ["INC-1"], ["INC-77"])
    # As `firebell deploy --fixes` does: the release is the fix, then deployed.
    after = fresh(h.firebell.runtime.db, issue)
    assert after.status == "fixed" and after.fixed_at == after.deployed_at == clock.now()
    (deploy,) = deploys(h)
    assert (deploy.service, deploy.version, deploy.link) == (
        "checkout",
        "0.0.1",
        "https://github.com/Codertocat/Hello-World/releases/tag/0.0.1",
    )
    deployed = [e for e in timeline(h, issue) if e.kind == "deployed"]
    assert deployed[0].payload["link"] == deploy.link
    assert any(
        "releases/tag/0.0.1|0.0.1> of checkout is deployed to production; it fixes INC-1" in text
        for text in channel_texts(h, issue)
    )
    seen = len(timeline(h, issue)), len(channel_texts(h, issue))
    again = await github(h, "release", release, delivery="72d3162e-cc78-11e3-81ab")
    assert again == (200, {"ok": True, "note": "this delivery was handled already"})
    assert (len(timeline(h, issue)), len(channel_texts(h, issue))) == seen
    assert len(deploys(h)) == 1


async def test_a_successful_deployment_fixes_the_keys_in_its_description(
    hv: Harness,
) -> None:
    h = hv
    dana, _sam, support = people(h)
    await file_report(h, dana, support, severity="minor")
    second = await file_another(h, dana, support, title="Coupons", severity="minor")
    deployment = example("deployment_status.success")
    deployment["deployment"]["description"] = "Resolves INC-2"
    status, answer = await github(h, "deployment_status", deployment)
    assert (status, answer["fixes"]) == (201, ["INC-2"])
    (deploy,) = deploys(h)
    assert (deploy.version, deploy.environment) == ("master@f95f852", "production")
    assert deploy.link == (
        "https://github.com/Codertocat/Hello-World/commit/f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
    )
    assert fresh(h.firebell.runtime.db, second).status == "fixed"
    assert issues(h.firebell.runtime.db)[0].status == "new"  # not named: untouched


async def test_what_github_sends_that_is_no_deploy_is_answered_and_stored_nowhere(
    hv: Harness,
) -> None:
    h = hv
    assert (await github(h, "ping", example("ping")))[0] == 200
    pending = example("deployment_status.success")
    pending["deployment_status"]["state"] = "in_progress"
    assert (await github(h, "deployment_status", pending))[0] == 202
    elsewhere = example("release.published")
    elsewhere["repository"]["full_name"] = "example/unmapped"
    status, answer = await github(h, "release", elsewhere)
    assert (status, answer["recorded"]) == (202, False)
    assert "add it to webhooks.github_services" in answer["note"]
    assert (await github(h, "push", {"ref": "refs/heads/main"}))[0] == 202
    assert deploys(h) == []


# -- New Relic and Rollbar -----------------------------------------------------------
async def test_new_relic_opens_then_resolves_one_issue(hv: Harness) -> None:
    h = hv
    url = f"{h.bot_url}/webhooks/newrelic"
    issue_id = "0ea2df1c-adab-45d2-aae0-042b609d2322"
    hostile = "<!channel> Memory high on <https://evil.example|checkout>"
    activated = vendor_hooks.newrelic_issue(issue_id, "ACTIVATED", title=hostile)
    assert (await vendor_hooks.newrelic(url, None, activated))[0] == 401
    assert (await vendor_hooks.newrelic(url, "wrong-token-0123456789", activated))[0] == 401
    assert issues(h.firebell.runtime.db) == []

    status, answer = await vendor_hooks.newrelic(url, TOKEN, activated)
    await h.firebell.settle()
    assert (status, answer["alerts"][0]["action"]) == (202, "opened")
    status, answer = await vendor_hooks.newrelic(url, TOKEN, activated)  # sent again
    await h.firebell.settle()
    assert answer["alerts"][0]["action"] == "repeat"
    closed = vendor_hooks.newrelic_issue(issue_id, "CLOSED", title=hostile)
    status, answer = await vendor_hooks.newrelic(url, TOKEN, closed)
    await h.firebell.settle()
    assert (status, answer["alerts"][0]["action"]) == (202, "resolved")
    (issue,) = issues(h.firebell.runtime.db)
    assert (issue.severity, issue.service, issue.reporter_id) == (
        "critical",
        "checkout",
        "newrelic",
    )
    assert issue.description and activated["issueUrl"] in issue.description
    with h.firebell.runtime.db.session() as session:
        (group,) = session.exec(select(AlertGroup))
        assert (group.fingerprint, group.status) == (f"newrelic:{issue_id}", "resolved")
    card = h.ws.messages_in(issue.channel_id or "")[0]
    assert "New Relic alert" in str(card.blocks)
    texts = channel_texts(h, issue)
    assert not any("<!channel>" in t or "<https://evil" in t for t in texts)  # never pings


async def test_rollbar_occurrences_of_one_item_are_one_issue_until_resolved(
    hv: Harness,
) -> None:
    h = hv
    url = f"{h.bot_url}/webhooks/rollbar"
    new = vendor_hooks.rollbar_item("new_item", 272716944)
    assert (await vendor_hooks.rollbar(url, None, new))[0] == 401
    assert (await vendor_hooks.rollbar(url, "wrong-token-0123456789", new))[0] == 401
    actions = []
    for event in ("new_item", "occurrence", "occurrence", "resolved_item"):
        status, answer = await vendor_hooks.rollbar(
            url, TOKEN, vendor_hooks.rollbar_item(event, 272716944)
        )
        await h.firebell.settle()
        assert status == 202, answer
        actions.append(answer["alerts"][0]["action"])
    assert actions == ["opened", "repeat", "repeat", "resolved"]
    (issue,) = issues(h.firebell.runtime.db)
    assert (issue.severity, issue.occurrences) == ("major", 3)  # level error
    assert issue.description and "https://rollbar.com/example/shop/items/31/" in issue.description
    deploy = {"event_name": "deploy", "data": {"deploy": {"id": 1}}}
    assert (await vendor_hooks.rollbar(url, TOKEN, deploy)) == (202, {"ok": True, "alerts": []})


# -- PagerDuty -------------------------------------------------------------------------
async def paged_issue(h: Harness) -> Issue:
    dana, _sam, support = people(h)
    issue = await file_report(h, dana, support, severity="critical")
    await h.firebell.tick()
    assert h.sandbox.pagers.pagerduty_actions("firebell-INC-1") == ["trigger"]
    return issue


async def pagerduty(h: Harness, event_type: str, **kw: Any) -> tuple[int, Any]:
    secrets = kw.pop("secrets", ["older-secret-0123456789", PD_SECRET])
    answer = await h.sandbox.pagers.webhook(
        f"{h.bot_url}/webhooks/pagerduty", secrets, event_type, "firebell-INC-1", **kw
    )
    await h.firebell.settle()
    return answer


async def test_an_acknowledgement_in_pagerduty_acknowledges_the_issue_without_echo(
    hv: Harness, clock: FakeClock
) -> None:
    h = hv
    issue = await paged_issue(h)
    forged = await pagerduty(h, "incident.acknowledged", secrets=["not-the-secret-0123"])
    assert forged[0] == 401 and "X-PagerDuty-Signature" in forged[1]["detail"]
    assert fresh(h.firebell.runtime.db, issue).acknowledged_at is None

    event_id = "01DEN4HPBQAJAYZAJ8ZT3RD3FR"
    status, answer = await pagerduty(
        h, "incident.acknowledged", agent="<!here> Dana Oncall", event_id=event_id
    )
    assert (status, answer["action"]) == (200, "acknowledged")
    after = fresh(h.firebell.runtime.db, issue)
    assert after.acknowledged_at == clock.now() and after.status == "assigned"
    assert after.assignee_id is None  # someone outside Slack takes no role
    texts = channel_texts(h, issue)
    assert any("PagerDuty acknowledged INC-1 by &lt;!here&gt; Dana Oncall." in t for t in texts)
    assert not any("<!here>" in t for t in texts)
    seen = len(timeline(h, issue))
    again = await pagerduty(h, "incident.acknowledged", event_id=event_id)
    assert again == (200, {"ok": True, "note": "this event was handled already"})
    assert len(timeline(h, issue)) == seen
    clock.advance(minutes=5)  # the outbox's retries are due; no SLA clock has run out
    await h.firebell.tick()
    await h.firebell.settle()
    # Nothing went back to PagerDuty: it is where the acknowledgement came from.
    assert h.sandbox.pagers.pagerduty_actions("firebell-INC-1") == ["trigger"]


async def test_a_resolve_in_pagerduty_is_a_side_note_and_the_issue_stays_open(
    hv: Harness, clock: FakeClock
) -> None:
    h = hv
    issue = await paged_issue(h)
    status, answer = await pagerduty(h, "incident.resolved", event_id="01DEN4HPBQAJAYZAJ8ZT3RD3FS")
    assert (status, answer["action"]) == (200, "noted_resolved")
    assert fresh(h.firebell.runtime.db, issue).status == "new"
    assert any(
        "PagerDuty incident resolved by Dana Oncall; the Firebell issue stays open" in t
        for t in channel_texts(h, issue)
    )
    other = await pagerduty(h, "incident.priority_updated")
    assert other[0] == 202
    unknown = await h.sandbox.pagers.webhook(
        f"{h.bot_url}/webhooks/pagerduty", [PD_SECRET], "incident.acknowledged", "d3640fbd4109"
    )
    assert unknown[0] == 202 and "not an incident Firebell triggered" in unknown[1]["note"]
    # The release that fixes it moves it to Fixed: PagerDuty, resolved already, is not told.
    release = example("release.published")
    release["release"]["body"] = "Fixes INC-1"
    assert (await github(h, "release", release))[0] == 201
    assert fresh(h.firebell.runtime.db, issue).status == "fixed"
    clock.advance(minutes=5)
    await h.firebell.tick()
    await h.firebell.settle()
    assert h.sandbox.pagers.pagerduty_actions("firebell-INC-1") == ["trigger"]
