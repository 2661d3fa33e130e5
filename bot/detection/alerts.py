"""Alerts from each monitoring tool, normalized to one shape.

Each reader takes the tool's documented webhook body and returns Alerts, or
raises BadPayload with a reason a person can act on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.core.domain import Severity

SEVERITY_WORDS = {
    "critical": Severity.CRITICAL,
    "page": Severity.CRITICAL,
    "fatal": Severity.CRITICAL,
    "p1": Severity.CRITICAL,
    "high": Severity.MAJOR,
    "error": Severity.MAJOR,
    "major": Severity.MAJOR,
    "p2": Severity.MAJOR,
    "warning": Severity.MINOR,
    "warn": Severity.MINOR,
    "minor": Severity.MINOR,
    "p3": Severity.MINOR,
    "medium": Severity.MINOR,
    "info": Severity.TRIVIAL,
    "low": Severity.TRIVIAL,
    "p4": Severity.TRIVIAL,
    "p5": Severity.TRIVIAL,
    "trivial": Severity.TRIVIAL,
    "debug": Severity.TRIVIAL,
}


class BadPayload(ValueError):
    """The body is not what the source documents; the message says what is wrong."""


@dataclass(frozen=True)
class Alert:
    source: str
    fingerprint: str
    status: str  # firing | resolved
    title: str
    severity: Severity | None = None
    service: str | None = None
    description: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    starts_at: datetime | None = None


def severity_of(word: object) -> Severity | None:
    return SEVERITY_WORDS.get(str(word).strip().lower()) if word else None


def _time(value: object) -> datetime | None:
    if not value or not isinstance(value, str | int | float):
        return None
    try:
        if isinstance(value, int | float) or str(value).isdigit():
            number = float(value)
            return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, tz=UTC)
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        return None
    if moment.year < 1971:  # Alertmanager's "0001-01-01T00:00:00Z" means "not set"
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _hash(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _strings(mapping: object, where: str) -> dict[str, str]:
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        raise BadPayload(f"{where} must be an object of strings")
    return {str(k): str(v) for k, v in mapping.items()}


def _require(body: object, key: str, kind: type | tuple[type, ...], where: str = "body") -> Any:
    if not isinstance(body, dict):
        raise BadPayload(f"{where} must be a JSON object")
    value = body.get(key)
    if not isinstance(value, kind) or value in ("", [], {}):
        raise BadPayload(f"{where}.{key} is missing or not a {getattr(kind, '__name__', kind)}")
    return value


def read_alertmanager(body: Any, source: str = "alertmanager") -> list[Alert]:
    """Prometheus Alertmanager webhook (version 4); Grafana's webhook has the same core."""
    alerts = _require(body, "alerts", list)
    out = []
    for index, raw in enumerate(alerts):
        where = f"alerts[{index}]"
        if not isinstance(raw, dict):
            raise BadPayload(f"{where} must be an object")
        labels = _strings(raw.get("labels"), f"{where}.labels")
        annotations = _strings(raw.get("annotations"), f"{where}.annotations")
        status = raw.get("status") or body.get("status")
        if status not in ("firing", "resolved"):
            raise BadPayload(f"{where}.status must be firing or resolved")
        title = (
            annotations.get("summary")
            or annotations.get("title")
            or labels.get("alertname")
            or raw.get("title")
            or body.get("title")
        )
        if not title:
            raise BadPayload(f"{where} has no alertname label or summary annotation")
        links = {
            k: v
            for k, v in {
                "runbook": annotations.get("runbook_url"),
                "dashboard": raw.get("dashboardURL") or annotations.get("dashboard_url"),
                "panel": raw.get("panelURL"),
                "source": raw.get("generatorURL"),
                "trace": annotations.get("trace_url"),
            }.items()
            if v
        }
        out.append(
            Alert(
                source=source,
                fingerprint=f"{source}:{raw.get('fingerprint') or _hash(sorted(labels.items()))}",
                status=status,
                title=str(title)[:300],
                severity=severity_of(labels.get("severity")),
                service=labels.get("service") or labels.get("job"),
                description=annotations.get("description") or raw.get("valueString"),
                labels=labels,
                links=links,
                starts_at=_time(raw.get("startsAt")),
            )
        )
    return out


def read_grafana(body: Any) -> list[Alert]:
    """Grafana alerting's webhook contact point: Alertmanager's shape plus dashboard links."""
    return read_alertmanager(body, source="grafana")


def read_sentry(body: Any, resource: str | None) -> list[Alert]:
    """Sentry's integration webhooks: `event_alert` (issue alert rules) and `issue`."""
    data = _require(body, "data", dict)
    action = body.get("action")
    if resource == "issue" or "issue" in data:
        issue = _require(data, "issue", dict, "data")
        status = "resolved" if action == "resolved" else "firing"
        project = (issue.get("project") or {}).get("slug")
        return [
            Alert(
                source="sentry",
                fingerprint=f"sentry:{_require(issue, 'id', (str, int), 'data.issue')}",
                status=status,
                title=str(issue.get("title") or "Sentry issue")[:300],
                severity=severity_of(issue.get("level")),
                service=project,
                description=issue.get("culprit"),
                labels={"project": project or ""},
                links={"sentry": issue.get("web_url") or ""},
                starts_at=_time(issue.get("firstSeen")),
            )
        ]
    event = _require(data, "event", dict, "data")
    tags = {
        str(t[0]): str(t[1])
        for t in event.get("tags") or []
        if isinstance(t, list | tuple) and len(t) == 2
    }
    group = event.get("issue_id") or event.get("group_id") or _hash(event.get("title"))
    return [
        Alert(
            source="sentry",
            fingerprint=f"sentry:{group}",
            status="firing",
            title=str(event.get("title") or "Sentry alert")[:300],
            severity=severity_of(event.get("level")),
            service=tags.get("service") or event.get("project_slug") or tags.get("project"),
            description=event.get("culprit") or data.get("triggered_rule"),
            labels=tags,
            links={"sentry": event.get("web_url") or event.get("url") or ""},
            starts_at=_time(event.get("datetime")),
        )
    ]


def read_datadog(body: Any) -> list[Alert]:
    """Datadog monitor webhook, with the payload template documented in the README."""
    transition = str(_require(body, "transition", str)).lower()
    key = body.get("aggregate") or body.get("alert_id") or body.get("id")
    if not key:
        raise BadPayload("body needs aggregate (or alert_id) to group notifications")
    tags = {}
    for tag in str(body.get("tags") or "").split(","):
        name, _, value = tag.strip().partition(":")
        if name:
            tags[name] = value
    status = "resolved" if transition in {"recovered", "ok", "resolved"} else "firing"
    return [
        Alert(
            source="datadog",
            fingerprint=f"datadog:{key}",
            status=status,
            title=str(_require(body, "title", str))[:300],
            severity=severity_of(body.get("priority")) or severity_of(tags.get("severity")),
            service=tags.get("service"),
            description=body.get("body"),
            labels=tags,
            links={"datadog": str(body.get("link") or "")},
            starts_at=_time(body.get("date")),
        )
    ]


def read_generic(body: Any) -> list[Alert]:
    """Firebell's own shape: one alert, or {"alerts": [...]}."""
    items = body.get("alerts") if isinstance(body, dict) and "alerts" in body else [body]
    if not isinstance(items, list) or not items:
        raise BadPayload("alerts must be a non-empty list")
    out = []
    for index, raw in enumerate(items):
        where = f"alerts[{index}]" if len(items) > 1 or "alerts" in (body or {}) else "body"
        fingerprint = str(_require(raw, "fingerprint", (str, int), where))
        status = raw.get("status", "firing")
        if status not in ("firing", "resolved"):
            raise BadPayload(f"{where}.status must be firing or resolved")
        if raw.get("severity") and severity_of(raw["severity"]) is None:
            raise BadPayload(f"{where}.severity must be one of trivial, minor, major, critical")
        out.append(
            Alert(
                source="generic",
                fingerprint=f"generic:{fingerprint}"[:200],
                status=status,
                title=str(_require(raw, "title", str, where))[:300],
                severity=severity_of(raw.get("severity")),
                service=raw.get("service"),
                description=raw.get("description"),
                labels=_strings(raw.get("labels"), f"{where}.labels"),
                links=_strings(raw.get("links"), f"{where}.links"),
                starts_at=_time(raw.get("starts_at")),
            )
        )
    return out
