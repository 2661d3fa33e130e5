"""GET /metrics over HTTP: gauges read from the database, per-process counters, the token."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox.workspace import Channel, User
from tests.helpers import GOOD_REPORT, channel_of, issues, open_modal, people, run

HOOK_TOKEN = "hook-token-0123456789"
METRICS_TOKEN = "scrape-secret-0123456789"
WEBHOOKS = {"tokens": {"generic": HOOK_TOKEN}}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def file(h: Harness, user: User, channel: Channel, **answers: Any) -> None:
    view = await open_modal(h, user, channel)
    reply = await h.driver.submit_view(user, view, {**GOOD_REPORT, **answers})
    assert reply.status == 200 and not reply.json, reply
    await h.firebell.settle()


async def post_alert(h: Harness, body: dict[str, Any]) -> int:
    headers = {"Authorization": f"Bearer {HOOK_TOKEN}", "Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{h.bot_url}/webhooks/generic", data=json.dumps(body), headers=headers) as r,
    ):
        await r.read()
    await h.firebell.settle()
    return r.status


async def get_metrics(h: Harness, token: str | None = None) -> tuple[int, str, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{h.bot_url}/metrics", headers=headers) as resp,
    ):
        return resp.status, resp.headers.get("Content-Type", ""), await resp.text()


def samples(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


def open_by_severity(found: Samples) -> dict[str, float]:
    totals: dict[str, float] = {}
    for (name, labels), count in found.items():
        if name == "firebell_issues_open":
            severity = dict(labels)["severity"]
            totals[severity] = totals.get(severity, 0) + count
    return totals


async def test_metrics_report_issues_outbox_webhooks_slack_calls_and_ticks(
    database_url: str, clock: FakeClock
) -> None:
    config = FirebellConfig.model_validate({"webhooks": WEBHOOKS})
    async with running(database_url, clock=clock, config=config) as h:
        dana, _sam, support = people(h)
        await file(h, dana, support, severity="critical", type="outage")
        # A private issue is counted, and named nowhere in the exposition.
        await file(
            h, dana, support, severity="minor", type="bug", title="Secret", private=["private"]
        )
        alert = {
            "alerts": [{"fingerprint": "queue", "title": "Queue backlog", "severity": "major"}]
        }
        assert await post_alert(h, alert) == 202
        await h.firebell.tick()

        status, content_type, text = await get_metrics(h)

    assert status == 200 and content_type.startswith("text/plain"), (status, content_type)
    found = samples(text)
    assert open_by_severity(found) == {"critical": 1, "minor": 1, "major": 1}
    assert value(found, "firebell_issues_open", severity="minor", type="bug") == 1
    for issue in issues(h.firebell.runtime.db):
        assert issue.key not in text and issue.title not in text
    assert dana.id not in text
    assert value(found, "firebell_webhook_requests_total", source="generic", code="202") == 1
    sent = value(found, "firebell_slack_api_calls_total", method="chat.postMessage", outcome="ok")
    assert sent is not None and sent > 0
    assert value(found, "firebell_outbox_pending") == 0
    assert value(found, "firebell_outbox_dead") == 0
    assert value(found, "firebell_scheduler_job_seconds_count", job="sla and escalation") == 1
    assert value(found, "firebell_scheduler_job_seconds_count", job="weekly digest") == 1


async def test_webhook_refusals_are_counted_by_code_and_unknown_sources_pooled(
    database_url: str, clock: FakeClock
) -> None:
    config = FirebellConfig.model_validate({"webhooks": WEBHOOKS})
    async with running(database_url, clock=clock, config=config) as h:
        async with aiohttp.ClientSession() as session:
            for path in ("generic", "generic", "no-such-source-123"):
                async with session.post(f"{h.bot_url}/webhooks/{path}", data=b"{}") as resp:
                    assert resp.status in (401, 404)
        _status, _type, text = await get_metrics(h)
    found = samples(text)
    assert value(found, "firebell_webhook_requests_total", source="generic", code="401") == 2
    assert value(found, "firebell_webhook_requests_total", source="other", code="404") == 1
    assert "no-such-source-123" not in text


async def test_a_metrics_token_is_required_when_configured(
    database_url: str, clock: FakeClock
) -> None:
    config = FirebellConfig.model_validate({"metrics": {"token": METRICS_TOKEN}})
    async with running(database_url, clock=clock, config=config) as h:
        assert (await get_metrics(h))[0] == 401
        status, content_type, text = await get_metrics(h, "wrong")
        answer = json.loads(text)
        assert (status, answer["detail"], answer["error"]) == (
            401,
            "missing or wrong bearer token",
            "missing or wrong bearer token",
        )
        assert content_type.startswith("application/problem+json")
        status, _type, text = await get_metrics(h, METRICS_TOKEN)
    assert status == 200
    assert value(samples(text), "firebell_outbox_pending") == 0


async def test_transitions_are_counted_once_committed(database_url: str, clock: FakeClock) -> None:
    """Filed, acknowledged after 10 minutes, fixed after 70, deployed 30 minutes after the
    fix; an alert; a breach of the acknowledge SLA on a second issue."""
    config = FirebellConfig.model_validate({"webhooks": WEBHOOKS})
    async with running(database_url, clock=clock, config=config) as h:
        dana, sam, support = people(h)
        await file(h, dana, support, severity="critical", type="outage")
        room = channel_of(h, issues(h.firebell.runtime.db)[0])
        clock.advance(minutes=10)
        await run(h, sam, room, "ack")
        await run(h, sam, room, "status revise")
        await run(h, sam, room, "status retest")
        clock.advance(minutes=60)
        await run(h, sam, room, "fixed")
        clock.advance(minutes=30)
        await run(h, sam, room, "deployed")
        await file(h, dana, support, severity="critical", title="Second")  # never acked
        clock.advance(minutes=16)
        await h.firebell.tick()  # its 15-minute acknowledge SLA is breached
        assert await post_alert(h, {"fingerprint": "q", "title": "Queue"}) == 202
        status, _type, text = await get_metrics(h)
    assert status == 200
    found = samples(text)
    assert value(found, "firebell_issues_filed_total", source="slack", severity="critical") == 2
    assert value(found, "firebell_issues_filed_total", source="generic", severity="major") == 1
    ack = ("firebell_time_to_acknowledge_seconds", {"severity": "critical"})
    assert value(found, ack[0] + "_count", **ack[1]) == 1
    assert value(found, ack[0] + "_sum", **ack[1]) == 600
    assert value(found, "firebell_time_to_fix_seconds_sum", severity="critical") == 70 * 60
    assert value(found, "firebell_time_to_deploy_seconds_sum") == 30 * 60
    breaches = value(found, "firebell_sla_breaches_total", clock="acknowledge", severity="critical")
    assert breaches == 1
    assert value(found, "firebell_alerts_received_total", source="generic", status="firing") == 1
