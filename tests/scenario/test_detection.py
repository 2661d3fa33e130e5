"""Alert webhooks and deploys through HTTP, against the sandbox Slack."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlmodel import select

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from storage.models import AlertGroup, Issue, TimelineEvent

TOKEN = "hook-token-0123456789"
SENTRY_SECRET = "sentry-client-secret"
CONFIG = FirebellConfig.model_validate(
    {
        "webhooks": {
            "tokens": {
                s: TOKEN
                for s in ("alertmanager", "grafana", "sentry", "datadog", "generic", "deploy")
            },
            "sentry_client_secret": SENTRY_SECRET,
            "max_body_kb": 16,
        },
        "alert_routes": [
            {
                "name": "payments",
                "labels": {"team": "payments"},
                "severity": "critical",
                "service": "checkout-api",
                "threshold": {"count": 3, "within": "5m"},
                "resolve_fixes": True,
            },
        ],
        "trace_links": {"Jaeger": "https://jaeger.example.com/trace/{trace_id}"},
        "deploy_window": "2h",
    }
)


@pytest.fixture
async def hd(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with running(database_url, clock=clock, config=CONFIG) as harness:
        yield harness


async def post(
    h: Harness,
    source: str,
    body: Any,
    *,
    token: str | None = TOKEN,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{h.bot_url}/webhooks/{source}", data=raw, headers=all_headers) as resp,
    ):
        answer = await resp.json()
    await h.firebell.settle()
    return resp.status, answer


def all_issues(h: Harness) -> list[Issue]:
    with h.firebell.runtime.db.session() as session:
        return list(session.exec(select(Issue).order_by(Issue.number)))  # type: ignore[arg-type]


def alertmanager(status: str = "firing", **labels: str) -> dict[str, Any]:
    """Alertmanager's documented webhook body (version 4)."""
    alert_labels = {
        "alertname": "HighErrorRate",
        "severity": "critical",
        "service": "search-api",
        **labels,
    }
    return {
        "version": "4",
        "groupKey": '{}:{alertname="HighErrorRate"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "firebell",
        "groupLabels": {"alertname": "HighErrorRate"},
        "commonLabels": alert_labels,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": [
            {
                "status": status,
                "labels": alert_labels,
                "annotations": {
                    "summary": "5xx rate above 5% on search-api",
                    "runbook_url": "https://runbooks.example.com/5xx",
                },
                "startsAt": "2026-01-05T08:58:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph?g0.expr=rate",
                "fingerprint": "c2f3" + "".join(sorted(labels.values()))[:8],
            }
        ],
    }


async def test_alertmanager_opens_one_issue_then_counts_repeats(hd: Harness) -> None:
    status, answer = await post(hd, "alertmanager", alertmanager())
    assert status == 202 and answer["alerts"][0]["action"] == "opened"
    (issue,) = all_issues(hd)
    assert (issue.title, issue.severity, issue.service) == (
        "5xx rate above 5% on search-api",
        "critical",
        "search-api",
    )
    assert "runbook: https://runbooks.example.com/5xx" in (issue.description or "")
    assert issue.channel_id and issue.reporter_id == "alertmanager"
    assert hd.ws.dms_to("alertmanager") == []  # nobody to DM for an alert-made issue
    for _ in range(3):
        status, answer = await post(hd, "alertmanager", alertmanager())
        assert answer["alerts"][0] == {
            "fingerprint": answer["alerts"][0]["fingerprint"],
            "action": "repeat",
            "issue": "INC-1",
        }
    (issue,) = all_issues(hd)
    assert issue.occurrences == 4
    status, answer = await post(hd, "alertmanager", alertmanager("resolved"))
    assert answer["alerts"][0]["action"] == "resolved"
    room = hd.ws.channels[issue.channel_id or ""]
    assert any(
        "5xx rate above 5% on search-api” of INC-1 resolved" in m.text
        for m in hd.ws.messages_in(room.id)
    )
    assert all_issues(hd)[0].status == "new"  # the default route does not fix on resolve


async def test_threshold_and_resolve_fixes_on_a_route(hd: Harness, clock: FakeClock) -> None:
    body = alertmanager(team="payments")
    assert (await post(hd, "alertmanager", body))[1]["alerts"][0]["action"] == "below_threshold"
    clock.advance(minutes=6)  # the first firing falls out of the 5-minute window
    assert (await post(hd, "alertmanager", body))[1]["alerts"][0]["action"] == "below_threshold"
    assert (await post(hd, "alertmanager", body))[1]["alerts"][0]["action"] == "below_threshold"
    answer = (await post(hd, "alertmanager", body))[1]["alerts"][0]
    assert answer == {"fingerprint": answer["fingerprint"], "action": "opened", "issue": "INC-1"}
    (issue,) = all_issues(hd)
    assert (issue.severity, issue.service, issue.occurrences) == ("critical", "checkout-api", 4)
    await post(hd, "alertmanager", alertmanager("resolved", team="payments"))
    issue = all_issues(hd)[0]
    assert issue.status == "fixed" and issue.fixed_at is not None
    room = hd.ws.channels[issue.channel_id or ""]
    assert "Firebell moved INC-1: New → *Fixed*." in [m.text for m in hd.ws.messages_in(room.id)]


async def test_concurrent_first_alerts_open_exactly_one_issue(hd: Harness) -> None:
    body = alertmanager(pod="api-7")
    results = await asyncio.gather(*(post(hd, "alertmanager", body) for _ in range(20)))
    assert {status for status, _ in results} == {202}
    assert [a["alerts"][0]["action"] for _, a in results].count("opened") == 1
    (issue,) = all_issues(hd)
    assert issue.occurrences == 20
    with hd.firebell.runtime.db.session() as session:
        assert len(session.exec(select(AlertGroup)).all()) == 1


async def test_storm_edits_the_card_a_few_times_not_per_alert(
    hd: Harness, clock: FakeClock
) -> None:
    await post(hd, "alertmanager", alertmanager())
    before = len(hd.ws.calls_to("chat.update"))
    for _ in range(30):
        await post(hd, "alertmanager", alertmanager())
    assert len(hd.ws.calls_to("chat.update")) == before  # waiting its 3 seconds
    clock.advance(seconds=3)
    await hd.firebell.settle()
    assert len(hd.ws.calls_to("chat.update")) == before + 1
    card = hd.ws.messages_in(all_issues(hd)[0].channel_id or "")[0]
    assert "*Occurrences*\\n31" in str(card.blocks)
    with hd.firebell.runtime.db.session() as session:
        repeats = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "alert_repeat")
        ).all()
    assert len(repeats) <= 1  # coalesced on the timeline too


def grafana() -> dict[str, Any]:
    """Grafana alerting's webhook contact point body."""
    return {
        "receiver": "firebell",
        "status": "firing",
        "orgId": 1,
        "state": "alerting",
        "title": "[FIRING:1] DiskFull",
        "message": "Disk almost full",
        "version": "1",
        "groupKey": "{}",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://grafana:3000/",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "DiskFull", "severity": "warning", "service": "db"},
                "annotations": {"description": "/var at 97%"},
                "startsAt": "2026-01-05T08:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://grafana:3000/alerting/grafana/abc/view",
                "fingerprint": "d1sk",
                "silenceURL": "http://grafana:3000/alerting/silence/new",
                "dashboardURL": "http://grafana:3000/d/xyz",
                "panelURL": "http://grafana:3000/d/xyz?viewPanel=2",
                "valueString": "[ var='A' value=97 ]",
            }
        ],
    }


async def test_grafana_sentry_datadog_and_generic(hd: Harness) -> None:
    assert (await post(hd, "grafana", grafana()))[0] == 202
    issue = all_issues(hd)[-1]
    assert (issue.title, issue.severity) == ("DiskFull", "minor")
    assert "dashboard: http://grafana:3000/d/xyz" in (issue.description or "")

    sentry = {
        "action": "triggered",
        "installation": {"uuid": "u"},
        "data": {
            "event": {
                "title": "TypeError: x is undefined",
                "level": "error",
                "issue_id": "1170",
                "web_url": "https://sentry.io/organizations/o/issues/1170/events/e/",
                "tags": [["environment", "prod"], ["service", "web"]],
                "datetime": "2026-01-05T08:59:00Z",
            },
            "triggered_rule": "New errors",
        },
        "actor": {"type": "application"},
    }
    raw = json.dumps(sentry).encode()
    signature = hmac.new(SENTRY_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    status, answer = await post(
        hd,
        "sentry",
        raw,
        headers={"Sentry-Hook-Signature": signature, "Sentry-Hook-Resource": "event_alert"},
    )
    assert status == 202 and answer["alerts"][0]["action"] == "opened"
    assert all_issues(hd)[-1].service == "web"
    status, answer = await post(hd, "sentry", raw, headers={"Sentry-Hook-Signature": "0" * 64})
    assert (status, answer["error"]) == (401, "Sentry-Hook-Signature does not match the body")
    resolved = json.dumps(
        {
            "action": "resolved",
            "data": {
                "issue": {"id": "1170", "title": "TypeError: x is undefined", "level": "error"}
            },
        }
    ).encode()
    signature = hmac.new(SENTRY_SECRET.encode(), resolved, hashlib.sha256).hexdigest()
    status, answer = await post(
        hd,
        "sentry",
        resolved,
        headers={"Sentry-Hook-Signature": signature, "Sentry-Hook-Resource": "issue"},
    )
    assert answer["alerts"][0]["action"] == "resolved"

    datadog = {
        "id": "123",
        "title": "[Triggered] CPU high on web-1",
        "transition": "Triggered",
        "alert_id": "42",
        "aggregate": "agg-42",
        "priority": "P1",
        "tags": "service:web,env:prod",
        "link": "https://app.datadoghq.com/monitors/42",
        "date": "1767603600000",
        "body": "CPU > 90%",
    }
    assert (await post(hd, "datadog", datadog))[1]["alerts"][0]["action"] == "opened"
    assert all_issues(hd)[-1].severity == "critical"
    datadog["transition"] = "Recovered"
    assert (await post(hd, "datadog", datadog))[1]["alerts"][0]["action"] == "resolved"

    generic = {
        "alerts": [
            {
                "fingerprint": "queue-backlog",
                "title": "Queue backlog",
                "severity": "major",
                "service": "worker",
                "labels": {"trace_id": "4bf92f3577b34da6"},
            }
        ]
    }
    assert (await post(hd, "generic", generic))[1]["alerts"][0]["action"] == "opened"
    issue = all_issues(hd)[-1]
    card = hd.ws.messages_in(issue.channel_id or "")[0]
    assert "<https://jaeger.example.com/trace/4bf92f3577b34da6|Jaeger>" in str(card.blocks)


@pytest.mark.parametrize(
    ("source", "body", "token", "status", "reason"),
    [
        ("generic", {"fingerprint": "x", "title": "t"}, None, 401, "missing or wrong bearer token"),
        ("generic", {"fingerprint": "x", "title": "t"}, "nope", 401, "missing or wrong bearer"),
        ("opsgenie", {}, TOKEN, 404, "unknown source opsgenie"),
        ("generic", b"{not json", TOKEN, 400, "the body is not valid JSON"),
        ("generic", {"title": "t"}, TOKEN, 400, "body.fingerprint is missing"),
        (
            "generic",
            {"fingerprint": "x", "title": "t", "severity": "apocalyptic"},
            TOKEN,
            400,
            "severity must be one of trivial, minor, major, critical (or sev1-sev4, p1-p4)",
        ),
        (
            "alertmanager",
            {"alerts": [{"labels": {}, "status": "firing"}]},
            TOKEN,
            400,
            "alerts[0] has no alertname label or summary annotation",
        ),
        ("datadog", {"title": "t"}, TOKEN, 400, "body.transition is missing"),
        (
            "generic",
            {"fingerprint": "x", "title": "t" * 20_000},
            TOKEN,
            413,
            "the body is over 16 KB",
        ),
    ],
)
async def test_bad_requests_get_a_json_reason_and_store_nothing(
    hd: Harness, source: str, body: Any, token: str | None, status: int, reason: str
) -> None:
    got_status, answer = await post(hd, source, body, token=token)
    assert got_status == status and reason in answer["error"] and answer["ok"] is False
    assert all_issues(hd) == []


async def test_a_batch_with_one_bad_alert_stores_nothing(hd: Harness) -> None:
    body = alertmanager()
    body["alerts"].append({"status": "exploded", "labels": {"alertname": "X"}})
    status, answer = await post(hd, "alertmanager", body)
    assert status == 400 and "alerts[1].status must be firing or resolved" in answer["error"]
    assert all_issues(hd) == []


async def test_source_without_a_token_is_off(database_url: str, clock: FakeClock) -> None:
    async with running(database_url, clock=clock) as h:
        status, answer = await post(h, "generic", {"fingerprint": "x", "title": "t"})
        assert status == 401
        assert answer["error"] == (
            "the generic webhook is off: set webhooks.tokens.generic in firebell.yml"
        )


async def test_deploys_are_correlated_and_fix_issues(hd: Harness, clock: FakeClock) -> None:
    deploy = {
        "service": "search-api",
        "version": "v1.3.2",
        "environment": "production",
        "link": "https://ci.example.com/runs/77",
    }
    status, answer = await post(hd, "deploy", deploy)
    assert status == 201 and answer["created"] is True
    assert (await post(hd, "deploy", deploy))[0] == 200  # a retried webhook records nothing new
    clock.advance(minutes=40)
    await post(hd, "alertmanager", alertmanager())
    (issue,) = all_issues(hd)
    card = hd.ws.messages_in(issue.channel_id or "")[0]
    assert (
        "1 deploy to search-api in the 2h before this issue: "
        "<https://ci.example.com/runs/77|v1.3.2>"
    ) in str(card.blocks)
    clock.advance(minutes=30)
    status, answer = await post(
        hd,
        "deploy",
        {
            "service": "search-api",
            "version": "v1.3.3",
            "description": "Revert timeout; fixes INC-1",
        },
    )
    assert answer["fixes"] == ["INC-1"]
    issue = all_issues(hd)[0]
    assert issue.deployed_at == clock.now()
    assert any(
        "v1.3.3 of search-api is deployed to production; it fixes INC-1" in m.text
        for m in hd.ws.messages_in(issue.channel_id or "")
    )
    bad = await post(hd, "deploy", {"service": "x", "version": "1", "fixes": ["JIRA-9"]})
    assert (bad[0], bad[1]["error"]) == (400, "fixes must be issue keys like INC-42, not JIRA-9")


async def test_the_deploy_command_posts_to_a_running_firebell(
    hd: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    await post(hd, "alertmanager", alertmanager())  # INC-1, New
    argv = [
        "deploy",
        "--service",
        "search-api",
        "--version",
        "v2",
        "--fixes",
        "INC-1",
        "--url",
        hd.bot_url,
        "--token",
        TOKEN,
    ]
    code = await asyncio.to_thread(main, argv)
    assert code == 0 and "fixes INC-1" in capsys.readouterr().out
    await hd.firebell.settle()
    issue = all_issues(hd)[0]  # a release that fixes an open issue is its fix, then deployed
    assert issue.status == "fixed" and issue.fixed_at == issue.deployed_at is not None
    typo = [*argv[:6], "INC-77", *argv[7:]]
    typo[4] = "v3"
    assert await asyncio.to_thread(main, typo) == 1  # a key that names nothing fails the step
    assert "INC-77 is no issue here" in capsys.readouterr().err
    bad = await asyncio.to_thread(main, [*argv[:-1], "wrong"])
    assert bad == 1
