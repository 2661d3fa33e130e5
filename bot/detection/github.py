"""GitHub's `release` and `deployment_status` webhooks, read as deploys.

A published release (not a prerelease) and a successful deployment status are a
deploy of the repository's service (webhooks.github_services), recorded by the same
Deploys.record that `firebell deploy` reaches: "Fixes INC-42" in the release notes
or the deployment's description moves INC-42 exactly as `firebell deploy --fixes`
does. Everything else GitHub may send is read as "nothing to record", with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from bot.core.signatures import any_matches, hex_digest
from bot.detection.deploys import DeployIn
from bot.detection.validation import BadPayload, check_depth, mapping, text, time

EVENTS = ("release", "deployment_status", "ping")
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_LINK = 500


@dataclass(frozen=True)
class Reading:
    """A deploy to record, or why there is none."""

    deploy: DeployIn | None
    note: str = ""


def signed(secret: SecretStr, raw: bytes, header: str) -> bool:
    """GitHub's `sha256=<hex HMAC-SHA256 of the body>`."""
    return any_matches([header], "sha256=" + hex_digest(secret, raw))


def _text(value: object, where: str, limit: int) -> str:
    found = text(value, where, numbers=False) or ""
    return found.strip()[:limit]


def read_github(event: str, body: Any, services: dict[str, str]) -> Reading:
    """The deploy a signed delivery stands for; BadPayload when its body is not GitHub's."""
    check_depth(body)
    if not isinstance(body, dict):
        raise BadPayload("the body must be a JSON object")
    if event not in ("release", "deployment_status"):
        return Reading(
            None,
            f"{event or 'this'} events are not read; send release and deployment_status events",
        )
    repository = mapping(body.get("repository"), "body.repository")
    full_name = _text(repository.get("full_name"), "body.repository.full_name", 200)
    if not full_name:
        raise BadPayload("body.repository.full_name is missing")
    service = services.get(full_name)
    if service is None:
        return Reading(
            None, f"{full_name} is no service: add it to webhooks.github_services in firebell.yml"
        )
    if event == "release":
        return _release(body, service)
    return _deployment(body, service, repository)


def _release(body: dict[str, Any], service: str) -> Reading:
    action = body.get("action")
    release = mapping(body.get("release"), "body.release")
    if action != "published":
        return Reading(None, f"a release {text(action, 'body.action') or ''} event is not a deploy")
    if release.get("prerelease") is True:
        return Reading(None, "a prerelease is not a deploy to production")
    tag = _text(release.get("tag_name"), "body.release.tag_name", 80)
    if not tag:
        raise BadPayload("body.release.tag_name is missing")
    notes = [
        _text(release.get("name"), "body.release.name", 1000),
        _text(release.get("body"), "body.release.body", 100_000),
    ]
    return Reading(
        DeployIn(
            service=service,
            version=tag,
            at=time(release.get("published_at"), "body.release.published_at"),
            link=_text(release.get("html_url"), "body.release.html_url", MAX_LINK) or None,
            description="\n".join(n for n in notes if n),
        )
    )


def _deployment(body: dict[str, Any], service: str, repository: dict[str, Any]) -> Reading:
    status = mapping(body.get("deployment_status"), "body.deployment_status")
    deployment = mapping(body.get("deployment"), "body.deployment")
    state = text(status.get("state"), "body.deployment_status.state", numbers=False)
    if state != "success":
        return Reading(None, f"a deployment {state or 'without a state'} is not a deploy yet")
    sha = _text(deployment.get("sha"), "body.deployment.sha", 40)
    ref = _text(deployment.get("ref"), "body.deployment.ref", 60)
    if not sha and not ref:
        raise BadPayload("body.deployment has neither sha nor ref")
    version = f"{ref}@{sha[:7]}" if ref and sha and ref != sha else (sha[:12] or ref)
    environment = _text(status.get("environment"), "body.deployment_status.environment", 40)
    environment = environment or _text(
        deployment.get("environment"), "body.deployment.environment", 40
    )
    link = next(
        (
            found
            for key in ("log_url", "target_url", "environment_url")
            if (found := _text(status.get(key), f"body.deployment_status.{key}", MAX_LINK))
        ),
        None,
    )
    home = _text(repository.get("html_url"), "body.repository.html_url", 300)
    notes = [
        _text(status.get("description"), "body.deployment_status.description", 10_000),
        _text(deployment.get("description"), "body.deployment.description", 10_000),
    ]
    return Reading(
        DeployIn(
            service=service,
            version=version,
            environment=environment or "production",
            at=time(status.get("created_at"), "body.deployment_status.created_at"),
            link=link or (f"{home}/commit/{sha}" if home and sha else None),
            description="\n".join(n for n in notes if n),
        )
    )
