"""Alerts from New Relic workflows and Rollbar, read into the one Alert shape.

New Relic: the workflow webhook's default payload template (`id` is the issue id,
`state` ACTIVATED/CREATED/ACKNOWLEDGED/CLOSED, `priority` CRITICAL/HIGH/MEDIUM/LOW).
Rollbar: `{"event_name": ..., "data": {"item": {...}, "occurrence": {...}}}`; the item
id groups every occurrence of one error.
"""

from __future__ import annotations

from typing import Any

from bot.detection.alerts import (
    MAX_TITLE,
    Alert,
    _fingerprint,
    _labels,
    _require,
    _service,
    severity_of,
)
from bot.detection.validation import BadPayload, check_depth, mapping, text, time

NEWRELIC_FIRING = {"ACTIVATED", "CREATED"}
# Acknowledged in New Relic: nothing changes here (the issue is acknowledged in Firebell).
NEWRELIC_QUIET = {"ACKNOWLEDGED"}
NEWRELIC_STATES = (*sorted(NEWRELIC_FIRING), *NEWRELIC_QUIET, "CLOSED")

ROLLBAR_FIRING = {
    "new_item",
    "occurrence",
    "reactivated_item",
    "reopened_item",
    "exp_repeat_item",
    "item_velocity",
}
ROLLBAR_EVENTS = (*sorted(ROLLBAR_FIRING), "resolved_item", "deploy")
# Rollbar's numeric levels (the API's item.level), and its words.
ROLLBAR_LEVELS = {50: "critical", 40: "error", 30: "warning", 20: "info", 10: "debug"}


def _names(value: object, where: str) -> list[str]:
    """A list of names (New Relic sends lists for policies, conditions and entities)."""
    if value is None:
        return []
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [text(value, where) or ""]
    if not isinstance(value, list):
        raise BadPayload(f"{where} must be a list of names")
    return [text(item, f"{where}[{i}]") or "" for i, item in enumerate(value) if item is not None]


def read_newrelic(body: Any) -> list[Alert]:
    """One New Relic issue notification; an ACKNOWLEDGED one changes nothing."""
    check_depth(body)
    state = _require(body, "state", str).upper()
    if state not in NEWRELIC_STATES:
        raise BadPayload(f"body.state must be one of {', '.join(NEWRELIC_STATES)}")
    if state in NEWRELIC_QUIET:
        return []
    entities = _names(body.get("impactedEntities"), "body.impactedEntities")
    policies = _names(body.get("alertPolicyNames"), "body.alertPolicyNames")
    conditions = _names(body.get("alertConditionNames"), "body.alertConditionNames")
    labels = _labels(
        {
            "entity": ", ".join(entities) or None,
            "policy": ", ".join(policies) or None,
            "condition": ", ".join(conditions) or None,
            "workflow": body.get("workflowName"),
        },
        "body",
    )
    total = text(body.get("totalIncidents"), "body.totalIncidents")
    facts = [
        f"Policy: {labels['policy']}" if "policy" in labels else "",
        f"Condition: {labels['condition']}" if "condition" in labels else "",
        f"{total} incidents" if total and total != "1" else "",
    ]
    link = text(body.get("issueUrl"), "body.issueUrl", numbers=False)
    return [
        Alert(
            source="newrelic",
            fingerprint=_fingerprint("newrelic", body.get("id"), "body.id"),
            status="resolved" if state == "CLOSED" else "firing",
            title=_require(body, "title", str)[:MAX_TITLE],
            severity=severity_of(body.get("priority")),
            service=_service(entities[0] if entities else None),
            description="\n".join(f for f in facts if f) or None,
            labels=labels,
            links={"newrelic": link} if link else {},
            starts_at=time(body.get("createdAt"), "body.createdAt"),
        )
    ]


def _rollbar_level(item: dict[str, Any], occurrence: dict[str, Any]) -> str | None:
    for where, value in (
        ("data.occurrence.level", occurrence.get("level")),
        (
            "data.item.last_occurrence.level",
            mapping(item.get("last_occurrence"), "data.item.last_occurrence").get("level"),
        ),
        ("data.item.level", item.get("level")),
    ):
        if isinstance(value, int) and not isinstance(value, bool):
            return ROLLBAR_LEVELS.get(value)
        if value is not None:
            return text(value, where)
    return None


def read_rollbar(body: Any) -> list[Alert]:
    """One Rollbar notification about an item; a deploy notification changes nothing."""
    check_depth(body)
    event = _require(body, "event_name", str)
    if event not in ROLLBAR_EVENTS:
        raise BadPayload(f"body.event_name must be one of {', '.join(ROLLBAR_EVENTS)}")
    if event == "deploy":
        return []  # Rollbar's deploys are not alerts; /webhooks/deploy records deploys
    data = _require(body, "data", dict)
    item = _require(data, "item", dict, "data")
    occurrence = mapping(data.get("occurrence"), "data.occurrence")
    environment = text(item.get("environment"), "data.item.environment")
    labels = _labels(
        {
            "environment": environment,
            "project_id": item.get("project_id"),
            "level": _rollbar_level(item, occurrence),
        },
        "data.item",
    )
    link = text(data.get("url"), "data.url", numbers=False)
    counter = text(item.get("counter"), "data.item.counter")
    return [
        Alert(
            source="rollbar",
            fingerprint=_fingerprint("rollbar", item.get("id"), "data.item.id"),
            status="resolved" if event == "resolved_item" else "firing",
            title=(text(item.get("title"), "data.item.title") or "Rollbar item")[:MAX_TITLE],
            severity=severity_of(labels.get("level")),
            description=f"Rollbar item #{counter} in {environment or 'an unnamed environment'}"
            if counter
            else None,
            labels=labels,
            links={"rollbar": link} if link else {},
            starts_at=time(
                item.get("first_occurrence_timestamp"), "data.item.first_occurrence_timestamp"
            ),
        )
    ]
