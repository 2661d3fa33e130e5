"""Issue links in the Jira stand-in (`POST /rest/api/3/issueLink`), as Jira Cloud makes
and shows them: the link type named (or given by id) as the site knows it, an unknown
one answered with Jira's 404 "No issue link type with name 'X' found.", and each link
shown in both issues' `issuelinks` field naming the other issue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass
class LinkType:
    id: str
    name: str
    inward: str
    outward: str


# Jira Cloud's default issue link types (a site may rename them or add its own).
DEFAULT_LINK_TYPES = (
    LinkType("10000", "Blocks", "is blocked by", "blocks"),
    LinkType("10001", "Cloners", "is cloned by", "clones"),
    LinkType("10002", "Duplicate", "is duplicated by", "duplicates"),
    LinkType("10003", "Relates", "relates to", "relates to"),
)


NOT_FOUND = "Issue does not exist or you do not have permission to see it."


def jira_error(status: int, messages: list[str], errors: dict[str, str]) -> web.Response:
    return web.json_response({"errorMessages": messages, "errors": errors}, status=status)


def add_link(
    links: list[dict[str, Any]],
    types: dict[str, LinkType],
    issues: dict[str, Any],
    body: Any,
    link_id: str,
) -> web.Response:
    """Record one link (`{"id", "type", "inward", "outward"}`) or answer as Jira refuses.
    A second identical link is recorded too, so a test sees any duplicate."""
    body = body if isinstance(body, dict) else {}
    ref = body.get("type")
    if not isinstance(ref, dict) or not (ref.get("name") or ref.get("id")):
        return jira_error(400, [], {"issueLinkType": "Issue link type is required."})
    kind = next(
        (t for t in types.values() if ref.get("name") == t.name or ref.get("id") == t.id), None
    )
    if kind is None:
        said = f"name '{ref['name']}'" if ref.get("name") else f"id '{ref.get('id')}'"
        return jira_error(404, [f"No issue link type with {said} found."], {})
    keys = [(body.get(side) or {}).get("key") for side in ("inwardIssue", "outwardIssue")]
    if any(k not in issues for k in keys):
        return jira_error(404, [NOT_FOUND], {})
    links.append({"id": link_id, "type": kind.name, "inward": keys[0], "outward": keys[1]})
    return web.Response(status=201)


def links_of(
    links: list[dict[str, Any]], types: dict[str, LinkType], key: str
) -> list[dict[str, Any]]:
    """An issue's `issuelinks`: each names the other issue, as `outwardIssue` on the
    link's inward issue and as `inwardIssue` on its outward one."""
    shown = []
    for link in links:
        kind = types[link["type"]]
        typed = {"id": kind.id, "name": kind.name, "inward": kind.inward, "outward": kind.outward}
        if link["inward"] == key:
            shown.append(
                {"id": link["id"], "type": typed, "outwardIssue": {"key": link["outward"]}}
            )
        elif link["outward"] == key:
            shown.append({"id": link["id"], "type": typed, "inwardIssue": {"key": link["inward"]}})
    return shown
