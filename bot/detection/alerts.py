"""Alerts from each monitoring tool, normalized to one shape.

Each reader takes the tool's documented webhook body and returns Alerts, or
raises BadPayload with a reason a person can act on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from bot.core.domain import SEVERITY_WORDS_HINT, Severity, parse_severity
from bot.detection.validation import (
    BadPayload,
    check_depth,
    mapping,
    storable,
    strings,
    text,
    time,
)
from bot.incidents.report_form import TRACE_ID_CHARACTERS, TRACE_ID_PATTERN

# Bounds of the columns these fields end up in (storage/models.py).
MAX_TITLE, MAX_FINGERPRINT, MAX_SERVICE, MAX_TRACE_ID = 300, 200, 80, 200

SEVERITY_WORDS = {
    "critical": Severity.CRITICAL,
    "page": Severity.CRITICAL,
    "fatal": Severity.CRITICAL,
    "high": Severity.MAJOR,
    "error": Severity.MAJOR,
    "major": Severity.MAJOR,
    "warning": Severity.MINOR,
    "warn": Severity.MINOR,
    "minor": Severity.MINOR,
    "medium": Severity.MINOR,
    "info": Severity.TRIVIAL,
    "low": Severity.TRIVIAL,
    "p5": Severity.TRIVIAL,
    "trivial": Severity.TRIVIAL,
    "debug": Severity.TRIVIAL,
}


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
    """A label's severity: our names and the sev1-sev4 / p1-p4 aliases first, then the
    words monitoring tools use (an unknown word is None: the route's default applies)."""
    if not isinstance(word, str):
        return None
    return _severity_word(word)


@lru_cache(maxsize=256)  # a storm repeats the same few words on every alert
def _severity_word(word: str) -> Severity | None:
    return parse_severity(word) or SEVERITY_WORDS.get(word.strip().lower())


def _hash(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


WORDS: dict[type, str] = {str: "a string", list: "a list", dict: "an object"}


def _require(body: object, key: str, kind: type, where: str = "body") -> Any:
    if not isinstance(body, dict):
        raise BadPayload(f"{where} must be a JSON object")
    value = body.get(key)
    if not isinstance(value, kind) or value in ("", [], {}):
        raise BadPayload(f"{where}.{key} is missing or not {WORDS[kind]}")
    return storable(value, f"{where}.{key}") if isinstance(value, str) else value


def _fingerprint(source: str, value: object, where: str) -> str:
    """`source:value`; a value too long for the column is hashed, never cut, so two
    long fingerprints that share a beginning stay apart."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise BadPayload(f"{where} is missing or not a string or a number")
    key = f"{source}:{text(value, where)}"
    return key if len(key) <= MAX_FINGERPRINT else f"{source}:{_hash(key)}"


def _labels(value: object, where: str) -> dict[str, str]:
    labels = strings(value, where)
    trace_id = labels.get("trace_id", "")
    if len(trace_id) > MAX_TRACE_ID:  # the issue keeps it in a bounded column
        raise BadPayload(f"{where}.trace_id is over {MAX_TRACE_ID} characters")
    if trace_id and not TRACE_ID_PATTERN.fullmatch(trace_id):  # it is logged and linked
        raise BadPayload(f"{where}.trace_id is not a trace ID: {TRACE_ID_CHARACTERS}")
    return labels


def _service(value: str | None) -> str | None:
    return value[:MAX_SERVICE] if value else value


def read_alertmanager(body: Any, source: str = "alertmanager") -> list[Alert]:
    """Prometheus Alertmanager webhook (version 4); Grafana's webhook has the same core."""
    check_depth(body)
    alerts = _require(body, "alerts", list)
    out = []
    for index, raw in enumerate(alerts):
        where = f"alerts[{index}]"
        if not isinstance(raw, dict):
            raise BadPayload(f"{where} must be an object")
        labels = _labels(raw.get("labels"), f"{where}.labels")
        annotations = strings(raw.get("annotations"), f"{where}.annotations")
        status = raw.get("status") or body.get("status")
        if status not in ("firing", "resolved"):
            raise BadPayload(f"{where}.status must be firing or resolved")
        title = (
            annotations.get("summary")
            or annotations.get("title")
            or labels.get("alertname")
            or text(raw.get("title"), f"{where}.title")
            or text(body.get("title"), "body.title")
        )
        if not title:
            raise BadPayload(f"{where} has no alertname label or summary annotation")
        links = {
            k: v
            for k, v in {
                "runbook": annotations.get("runbook_url"),
                "dashboard": text(raw.get("dashboardURL"), f"{where}.dashboardURL")
                or annotations.get("dashboard_url"),
                "panel": text(raw.get("panelURL"), f"{where}.panelURL"),
                "source": text(raw.get("generatorURL"), f"{where}.generatorURL"),
                "trace": annotations.get("trace_url"),
            }.items()
            if v
        }
        given = raw.get("fingerprint")
        out.append(
            Alert(
                source=source,
                fingerprint=_fingerprint(source, given, f"{where}.fingerprint")
                if given
                else f"{source}:{_hash(sorted(labels.items()))}",
                status=status,
                title=title[:MAX_TITLE],
                severity=severity_of(labels.get("severity")),
                service=_service(labels.get("service") or labels.get("job")),
                description=annotations.get("description")
                or text(raw.get("valueString"), f"{where}.valueString"),
                labels=labels,
                links=links,
                starts_at=time(raw.get("startsAt"), f"{where}.startsAt"),
            )
        )
    return out


def read_grafana(body: Any) -> list[Alert]:
    """Grafana alerting's webhook contact point: Alertmanager's shape plus dashboard links."""
    return read_alertmanager(body, source="grafana")


def read_sentry(body: Any, resource: str | None) -> list[Alert]:
    """Sentry's integration webhooks: `event_alert` (issue alert rules) and `issue`."""
    check_depth(body)
    data = _require(body, "data", dict)
    action = body.get("action")
    if resource == "issue" or "issue" in data:
        issue = _require(data, "issue", dict, "data")
        project = text(
            mapping(issue.get("project") or None, "data.issue.project").get("slug"),
            "data.issue.project.slug",
        )
        return [
            Alert(
                source="sentry",
                fingerprint=_fingerprint("sentry", issue.get("id"), "data.issue.id"),
                status="resolved" if action == "resolved" else "firing",
                title=(text(issue.get("title"), "data.issue.title") or "Sentry issue")[:MAX_TITLE],
                severity=severity_of(issue.get("level")),
                service=_service(project),
                description=text(issue.get("culprit"), "data.issue.culprit"),
                labels={"project": project or ""},
                links={"sentry": text(issue.get("web_url"), "data.issue.web_url") or ""},
                starts_at=time(issue.get("firstSeen"), "data.issue.firstSeen"),
            )
        ]
    event = _require(data, "event", dict, "data")
    title = text(event.get("title"), "data.event.title")
    tags = _labels(dict(_tag_pairs(event.get("tags"))), "data.event.tags")
    group_key = "issue_id" if event.get("issue_id") else "group_id"
    group = event.get(group_key)
    return [
        Alert(
            source="sentry",
            fingerprint=_fingerprint("sentry", group, f"data.event.{group_key}")
            if group
            else f"sentry:{_hash(title)}",
            status="firing",
            title=(title or "Sentry alert")[:MAX_TITLE],
            severity=severity_of(event.get("level")),
            service=_service(
                tags.get("service")
                or text(event.get("project_slug"), "data.event.project_slug")
                or tags.get("project")
            ),
            description=text(event.get("culprit"), "data.event.culprit")
            or text(data.get("triggered_rule"), "data.triggered_rule"),
            labels=tags,
            links={
                "sentry": text(event.get("web_url"), "data.event.web_url")
                or text(event.get("url"), "data.event.url")
                or ""
            },
            starts_at=time(event.get("datetime"), "data.event.datetime"),
        )
    ]


def _tag_pairs(tags: object) -> list[tuple[str, object]]:
    """Sentry's tags, [[name, value], ...]; entries of other shapes are skipped."""
    if tags is None:
        return []
    if not isinstance(tags, list):
        raise BadPayload("data.event.tags must be a list of [name, value] pairs")
    pairs = []
    for index, tag in enumerate(tags):
        if isinstance(tag, list) and len(tag) == 2:
            name = text(tag[0], f"data.event.tags[{index}][0]")
            if name:
                pairs.append((name, tag[1]))
    return pairs


def read_datadog(body: Any) -> list[Alert]:
    """Datadog monitor webhook, with the payload template documented in the README."""
    check_depth(body)
    transition = _require(body, "transition", str).lower()
    group = next((k for k in ("aggregate", "alert_id", "id") if body.get(k)), None)
    if group is None:
        raise BadPayload("body needs aggregate (or alert_id) to group notifications")
    tags = {}
    for tag in (text(body.get("tags"), "body.tags", numbers=False) or "").split(","):
        name, _, value = tag.strip().partition(":")
        if name:
            tags[name] = value
    tags = _labels(tags, "body.tags")
    status = "resolved" if transition in {"recovered", "ok", "resolved"} else "firing"
    return [
        Alert(
            source="datadog",
            fingerprint=_fingerprint("datadog", body[group], f"body.{group}"),
            status=status,
            title=_require(body, "title", str)[:MAX_TITLE],
            severity=severity_of(body.get("priority")) or severity_of(tags.get("severity")),
            service=_service(tags.get("service")),
            description=text(body.get("body"), "body.body"),
            labels=tags,
            links={"datadog": text(body.get("link"), "body.link") or ""},
            starts_at=time(body.get("date"), "body.date"),
        )
    ]


def read_generic(body: Any) -> list[Alert]:
    """Firebell's own shape: one alert, or {"alerts": [...]}."""
    check_depth(body)
    listed = isinstance(body, dict) and "alerts" in body
    items = body["alerts"] if listed else [body]
    if not isinstance(items, list) or not items:
        raise BadPayload("alerts must be a non-empty list")
    out = []
    for index, raw in enumerate(items):
        where = f"alerts[{index}]" if len(items) > 1 or listed else "body"
        fingerprint = _fingerprint(
            "generic", _field(raw, "fingerprint", where), f"{where}.fingerprint"
        )
        status = raw.get("status", "firing")
        if status not in ("firing", "resolved"):
            raise BadPayload(f"{where}.status must be firing or resolved")
        if raw.get("severity") and severity_of(raw["severity"]) is None:
            raise BadPayload(f"{where}.severity must be one of {SEVERITY_WORDS_HINT}")
        out.append(
            Alert(
                source="generic",
                fingerprint=fingerprint,
                status=status,
                title=_require(raw, "title", str, where)[:MAX_TITLE],
                severity=severity_of(raw.get("severity")),
                service=_service(text(raw.get("service"), f"{where}.service")),
                description=text(raw.get("description"), f"{where}.description"),
                labels=_labels(raw.get("labels"), f"{where}.labels"),
                links=strings(raw.get("links"), f"{where}.links"),
                starts_at=time(raw.get("starts_at"), f"{where}.starts_at"),
            )
        )
    return out


def _field(raw: object, key: str, where: str) -> object:
    if not isinstance(raw, dict):
        raise BadPayload(f"{where} must be a JSON object")
    return raw.get(key)
