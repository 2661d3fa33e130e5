"""Every webhook reader, fed anything JSON can carry, returns storable Alerts or a BadPayload.

Bodies are drawn two ways: arbitrary JSON-like values, and the documented shape of
each tool with arbitrary values in its fields (so the readers get past their first
check and every field helper is exercised).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.detection.alerts import (
    Alert,
    BadPayload,
    read_alertmanager,
    read_datadog,
    read_generic,
    read_grafana,
    read_sentry,
)
from bot.detection.deploys import DeployIn, read_deploy
from bot.detection.validation import FIRST_YEAR, LAST_YEAR

# Bounded so the whole file runs in a few seconds; no example database is written.
BOUNDED = settings(max_examples=200, deadline=None, database=None)

ZONES = [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12, minutes=-30))]
surrogates = st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1)


def weighted(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` about seven times in eight, `rare` otherwise (one_of picks branches evenly)."""
    return st.one_of(*[usual] * 7, rare)


words = st.sampled_from(["firing", "resolved", "critical", "P1", "Recovered", "INC-7", "issue"])
hostile_texts = st.one_of(
    surrogates,
    st.text(max_size=5).map(lambda t: t + "\x00"),
    st.text(min_size=300, max_size=400, alphabet="ab"),  # over the column bounds
)
# Hostile text one time in eight, so that whole bodies of plain text are drawn too.
texts = weighted(st.text(max_size=20) | words, hostile_texts)
huge_ints = st.one_of(
    st.integers(),
    st.integers(min_value=2**62, max_value=2**200),
    st.just(10**4000),  # str() still works; json.loads would refuse 4,300 digits
    # str() itself refuses this one (built lazily: hypothesis cannot print it either)
    st.just(5000).map(lambda digits: -(10**digits)),
)
times = st.one_of(
    st.datetimes(timezones=st.sampled_from(ZONES) | st.none()).map(datetime.isoformat),
    st.sampled_from(
        [
            "0001-01-01T00:00:00Z",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-05:00",
            "2026-01-05T08:58:00.123456789Z",
            "1767603600000",
            "9" * 30,
            "١٢٣",
        ]
    ),
    huge_ints,
    st.floats(),
)
ids = weighted(texts | st.integers(0, 10**9), huge_ints)
scalars = st.one_of(st.none(), st.booleans(), huge_ints, st.floats(), texts, times)


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
deep = st.integers(30, 200).map(nested)
# Deep nesting one time in eight, at any depth below: more would hide every other check.
anything = weighted(json_values, deep)
label_names = st.sampled_from(["alertname", "severity", "service", "job", "trace_id"]) | texts
labels = st.one_of(
    st.fixed_dictionaries({"alertname": texts}, optional={"severity": texts, "job": scalars}),
    st.dictionaries(label_names, scalars, max_size=5),
    anything,
)


def shaped(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[Any]:
    """The documented shape, each field plausible seven times in eight, else anything."""

    def field(plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return weighted(plausible, anything)

    return st.fixed_dictionaries(
        {k: field(v) for k, v in required.items()},
        optional={k: field(v) for k, v in optional.items()},
    )


am_alert = shaped(
    {"labels": labels, "status": st.sampled_from(["firing", "resolved"])},
    {
        "annotations": labels,
        "fingerprint": ids,
        "startsAt": times,
        "title": texts,
        "dashboardURL": texts,
        "generatorURL": texts,
        "valueString": texts,
    },
)
alertmanager_bodies = shaped(
    {"alerts": st.lists(am_alert, min_size=1, max_size=3)}, {"status": texts}
)
sentry_event = shaped(
    {"title": texts},
    {
        "issue_id": ids,
        "group_id": ids,
        "tags": st.lists(st.lists(scalars, min_size=2, max_size=2), max_size=4),
        "level": texts,
        "datetime": times,
        "web_url": texts,
        "culprit": texts,
        "project_slug": texts,
    },
)
sentry_issue = shaped(
    {"id": ids},
    {
        "title": texts,
        "project": st.fixed_dictionaries({"slug": texts}),
        "firstSeen": times,
        "culprit": texts,
    },
)
sentry_bodies = shaped(
    {"data": st.fixed_dictionaries({}, optional={"event": sentry_event, "issue": sentry_issue})},
    {"action": st.sampled_from(["triggered", "resolved"])},
)
datadog_bodies = shaped(
    {"transition": texts, "title": texts, "aggregate": ids},
    {"tags": texts, "date": times, "body": texts, "link": texts, "priority": texts},
)
generic_alert = shaped(
    {"fingerprint": ids, "title": texts},
    {
        "status": st.sampled_from(["firing", "resolved"]),
        "severity": texts,
        "service": ids,
        "description": texts,
        "labels": labels,
        "links": labels,
        "starts_at": times,
    },
)
generic_bodies = generic_alert | shaped(
    {"alerts": st.lists(generic_alert, min_size=1, max_size=3)}, {}
)
deploy_bodies = shaped(
    {"service": texts, "version": texts},
    {
        "environment": ids,
        "time": times,
        "link": texts,
        "fixes": st.lists(texts | st.integers(0, 10**12).map("INC-{}".format), max_size=3),
        "description": texts,
    },
)


def storable(value: str) -> None:
    value.encode("utf-8")  # raises on a lone surrogate
    assert "\x00" not in value


def check_alerts(alerts: list[Alert]) -> None:
    for alert in alerts:
        for value in dataclasses.asdict(alert).values():
            if isinstance(value, str):
                storable(value)
            elif isinstance(value, dict):
                for key, item in value.items():
                    storable(key)
                    storable(item)
        assert len(alert.fingerprint) <= 200 and len(alert.title) <= 300
        assert alert.service is None or len(alert.service) <= 80
        assert len(alert.labels.get("trace_id", "")) <= 200
        assert alert.starts_at is None or FIRST_YEAR <= alert.starts_at.year <= LAST_YEAR


def reads_or_refuses(read: Any, body: Any) -> None:
    try:
        alerts = read(body)
    except BadPayload as exc:
        assert "<class" not in str(exc)
        return
    check_alerts(alerts)


@BOUNDED
@given(anything | alertmanager_bodies)
def test_alertmanager(body: Any) -> None:
    reads_or_refuses(read_alertmanager, body)


@BOUNDED
@given(anything | alertmanager_bodies)
def test_grafana(body: Any) -> None:
    reads_or_refuses(read_grafana, body)


@BOUNDED
@given(anything | sentry_bodies, st.sampled_from([None, "issue", "event_alert"]))
def test_sentry(body: Any, resource: str | None) -> None:
    reads_or_refuses(lambda b: read_sentry(b, resource), body)


@BOUNDED
@given(anything | datadog_bodies)
def test_datadog(body: Any) -> None:
    reads_or_refuses(read_datadog, body)


@BOUNDED
@given(anything | generic_bodies)
def test_generic(body: Any) -> None:
    reads_or_refuses(read_generic, body)


@BOUNDED
@given(anything | deploy_bodies)
def test_deploy(body: Any) -> None:
    try:
        deploy = read_deploy(body)
    except BadPayload as exc:
        assert "<class" not in str(exc)
        return
    assert isinstance(deploy, DeployIn)
    for value in (deploy.service, deploy.version, deploy.environment, deploy.description):
        storable(value)
    assert deploy.service.strip() and deploy.version.strip()
    assert len(deploy.service) <= 80 and len(deploy.version) <= 80
    assert len(deploy.environment) <= 40 and len(deploy.link or "") <= 500
    assert deploy.at is None or deploy.at.tzinfo is not None
    assert all(int(key.split("-")[1]) < 2**31 for key in deploy.keys())


def test_the_shapes_reach_success() -> None:
    """The shaped strategies are not all refusals: a valid body of each shape reads."""
    assert read_alertmanager({"alerts": [{"labels": {"alertname": "A"}, "status": "firing"}]})
    assert read_sentry({"data": {"issue": {"id": 7}}}, "issue")
    assert read_datadog({"transition": "Triggered", "title": "t", "aggregate": 1})
    assert read_generic({"fingerprint": 10**18, "title": "t", "labels": {"n": 1, "b": True}})
    assert read_deploy({"service": "s", "version": "v", "fixes": ["INC-999999999"]})
