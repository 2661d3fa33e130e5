"""A Jira Cloud stand-in on loopback: the REST API v3 calls Firebell makes, checked the
way Jira checks them, and admin webhooks signed the way Jira signs them.

Built from Atlassian's published REST v3 reference and the `jira` client's request
shapes: basic auth (email:API token); create (`POST /rest/api/3/issue`) validates the
description as ADF (sandbox/jira_adf.py), the project, the issue type, the fields on
its create screen ("Field 'customfield_NNNNN' cannot be set. It is not on the
appropriate screen, or unknown.") and the required ones ("Service is required."),
priorities, components and labels, answering Jira's `{"errorMessages", "errors"}`;
the enhanced search (`/search/jql`) by label; a workflow of global transitions;
create metadata; issue links. Faults (sandbox/faults.py) by operation name: "ratelimit"
answers 429 with Retry-After, "server_error" a 5xx, and "late" does the work and then
loses the answer (504 from the gateway), the case exactly-once must survive; with
`hold` it keeps the caller waiting first (until cleared), so a process can be killed
mid-call after Jira did the work.

Changes of status are queued as `jira:issue_updated` webhooks; `deliver_webhooks()`
sends them to `webhook_url`, signed (`X-Hub-Signature: sha256=<hex>`) and identified
(`X-Atlassian-Webhook-Identifier`) as Jira does, or forged on request."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from sandbox import jira_adf
from sandbox.faults import Faults
from sandbox.jira_links import DEFAULT_LINK_TYPES, NOT_FOUND, add_link, jira_error, links_of

CANNOT_BE_SET = "Field '{id}' cannot be set. It is not on the appropriate screen, or unknown."
SYSTEM_FIELDS = {
    "project",
    "issuetype",
    "summary",
    "description",
    "priority",
    "labels",
    "components",
}


@dataclass
class JiraField:
    id: str
    name: str
    required: bool = False
    type: str = "string"


@dataclass
class IssueType:
    id: str
    name: str
    screen: dict[str, JiraField]  # the fields on its create screen


@dataclass
class Project:
    id: str
    key: str
    types: dict[str, IssueType]
    components: dict[str, str] = field(default_factory=dict)  # name -> id


@dataclass
class Transition:
    id: str
    name: str
    to: str  # status name


@dataclass
class JiraIssue:
    id: str
    key: str
    fields: dict[str, Any]
    status: str = "To Do"


def default_screen(*extra: JiraField) -> dict[str, JiraField]:
    fields = [
        JiraField("summary", "Summary", True),
        JiraField("issuetype", "Issue Type", True, "issuetype"),
        JiraField("project", "Project", True, "project"),
        JiraField("description", "Description", False, "doc"),
        JiraField("priority", "Priority", False, "priority"),
        JiraField("labels", "Labels", False, "array"),
        JiraField("components", "Components", False, "array"),
        *extra,
    ]
    return {f.id: f for f in fields}


def ops_project() -> Project:
    """OPS: a Bug whose screen requires the Service field (customfield_10551); Team
    (customfield_10552) exists on the site but not on this screen."""
    bug = IssueType("10004", "Bug", default_screen(JiraField("customfield_10551", "Service", True)))
    task = IssueType("10002", "Task", default_screen())
    return Project("10000", "OPS", {"Bug": bug, "Task": task}, {"Backend": "10100", "Web": "10101"})


class JiraCloud:
    def __init__(
        self, email: str = "bot@example.com", api_token: str = "jira-sandbox-token"
    ) -> None:
        self.email, self.api_token = email, api_token
        self.account_id = "557058:firebell-bot"
        self.projects: dict[str, Project] = {"OPS": ops_project()}
        self.priorities = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4", "Lowest": "5"}
        self.statuses = {"To Do": "10000", "In Progress": "3", "Done": "10001"}
        # Global transitions (a team-managed workflow): each from any other status.
        self.transitions = [
            Transition("11", "To Do", "To Do"),
            Transition("21", "In Progress", "In Progress"),
            Transition("31", "Done", "Done"),
        ]
        self.issues: dict[str, JiraIssue] = {}
        self.link_types = {t.name: t for t in DEFAULT_LINK_TYPES}
        self.links: list[dict[str, Any]] = []  # each {"id", "type", "inward", "outward"}
        self.calls: list[tuple[str, str, int]] = []  # operation, path, status
        self.faults = Faults()
        self.webhook_url: str | None = None
        self.webhook_secret = "jira-webhook-secret"
        self.pending: list[dict[str, Any]] = []  # webhooks not yet sent
        self._ids = itertools.count(10001)
        self._deliveries = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> JiraCloud:
        app = web.Application(middlewares=[self._guard])
        api = "/rest/api/3"
        app.router.add_post(f"{api}/issue", self._create)
        app.router.add_get(f"{api}/issue/createmeta/{{project}}/issuetypes", self._types)
        app.router.add_get(f"{api}/issue/createmeta/{{project}}/issuetypes/{{type}}", self._fields)
        app.router.add_get(f"{api}/issue/{{key}}", self._get)
        app.router.add_get(f"{api}/issue/{{key}}/transitions", self._list_transitions)
        app.router.add_post(f"{api}/issue/{{key}}/transitions", self._transition)
        app.router.add_get(f"{api}/search/jql", self._search)
        app.router.add_post(f"{api}/issueLink", self._link)
        app.router.add_get(f"{api}/issueLinkType", self._link_types)
        app.router.add_get(f"{api}/myself", self._myself)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        self.faults.clear()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what a test reads ------------------------------------------------------
    def created(self) -> list[JiraIssue]:
        return list(self.issues.values())

    def count(self, operation: str) -> int:
        return sum(1 for op, _path, status in self.calls if op == operation and status < 300)

    # -- auth, faults and the call log, for every route ---------------------------
    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        operation = _operation(request)
        expected = base64.b64encode(f"{self.email}:{self.api_token}".encode()).decode()
        if request.headers.get("Authorization", "") != f"Basic {expected}":
            self.calls.append((operation, request.path, 401))
            return web.json_response(
                {
                    "errorMessages": ["Client must be authenticated to access this resource."],
                    "errors": {},
                },
                status=401,
            )
        fault = self.faults.take(operation)
        if fault is not None and fault.kind == "ratelimit":
            self.calls.append((operation, request.path, 429))
            return web.json_response(
                {"errorMessages": ["Rate limit exceeded."], "errors": {}},
                status=429,
                headers={"Retry-After": str(fault.retry_after)},
            )
        if fault is not None and fault.kind in ("server_error", "timeout"):
            self.calls.append((operation, request.path, fault.status))
            return web.Response(status=fault.status, text="Service unavailable")
        response = await handler(request)
        self.calls.append((operation, request.path, response.status))
        if fault is not None:  # "late": done, and the answer lost on the way back
            if fault.hold:  # ... after `hold` seconds, or until the faults are cleared
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.faults.release.wait(), fault.hold)
            return web.Response(status=504, text="Gateway timeout")
        return response

    # -- the API ------------------------------------------------------------------
    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        given = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(given, dict):
            return _bad(["The request body must hold fields."])
        project = self._project(given.get("project") or {})
        if project is None:
            return _bad(errors={"project": "Specify a valid project ID or key"})
        kind = _by_name_or_id(project.types, given.get("issuetype") or {})
        if kind is None:
            return _bad(errors={"issuetype": "Specify an issue type"})
        errors = self._field_errors(project, kind, given)
        if errors:
            return _bad(errors=errors)
        number = sum(1 for i in self.issues.values() if i.key.startswith(project.key + "-")) + 1
        issue = JiraIssue(str(next(self._ids)), f"{project.key}-{number}", given)
        self.issues[issue.key] = issue
        self_url = f"{self.url}/rest/api/3/issue/{issue.id}"
        return web.json_response({"id": issue.id, "key": issue.key, "self": self_url}, status=201)

    def _field_errors(
        self, project: Project, kind: IssueType, given: dict[str, Any]
    ) -> dict[str, str]:
        errors = {name: CANNOT_BE_SET.format(id=name) for name in given if name not in kind.screen}
        for needed in kind.screen.values():
            if needed.required and needed.id not in given and needed.id not in errors:
                errors[needed.id] = f"{needed.name} is required."
        summary = given.get("summary")
        if "summary" not in errors and (
            not isinstance(summary, str) or not summary.strip() or len(summary) > 255
        ):
            errors["summary"] = "You must specify a summary of the issue (at most 255 characters)."
        if "description" in given and jira_adf.problems(given["description"]):
            errors["description"] = (
                "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
            )
        priority = given.get("priority")
        if (
            priority is not None
            and _by_name_or_id({n: n for n in self.priorities}, priority) is None
        ):
            errors["priority"] = f"Priority name '{(priority or {}).get('name')}' is not valid"
        for component in given.get("components") or []:
            if (component or {}).get("name") not in project.components and (component or {}).get(
                "id"
            ) not in project.components.values():
                errors["components"] = (
                    f"Component name '{(component or {}).get('name')}' is not valid"
                )
        for label in given.get("labels") or []:
            if not isinstance(label, str) or re.search(r"\s", label) or not label:
                errors["labels"] = f"The label '{label}' contains spaces which is invalid."
        return errors

    async def _get(self, request: web.Request) -> web.Response:
        issue = self.issues.get(request.match_info["key"])
        if issue is None:
            return _missing()
        fields = {
            **issue.fields,
            "status": {"name": issue.status, "id": self.statuses[issue.status]},
            "issuelinks": links_of(self.links, self.link_types, issue.key),
        }
        return web.json_response({"id": issue.id, "key": issue.key, "fields": fields})

    async def _list_transitions(self, request: web.Request) -> web.Response:
        issue = self.issues.get(request.match_info["key"])
        if issue is None:
            return _missing()
        return web.json_response(
            {"transitions": [_shape(t, self.statuses) for t in self._offered(issue)]}
        )

    async def _transition(self, request: web.Request) -> web.Response:
        issue = self.issues.get(request.match_info["key"])
        if issue is None:
            return _missing()
        body = await request.json()
        wanted = str(((body or {}).get("transition") or {}).get("id") or "")
        chosen = next((t for t in self._offered(issue) if t.id == wanted), None)
        if chosen is None:
            return _bad([f"Transition id '{wanted}' is not valid for this issue."])
        self.move(issue.key, chosen.to, by=self.account_id)
        return web.Response(status=204)

    async def _search(self, request: web.Request) -> web.Response:
        jql = request.query.get("jql", "")
        match = re.fullmatch(r'\s*labels\s*=\s*"?([^"\s]+)"?\s*', jql)
        project = re.fullmatch(r'\s*project\s*=\s*"?(\w+)"?(\s+ORDER BY created DESC)?\s*', jql)
        if project is not None:
            newest = [i for i in self.issues.values() if i.key.startswith(project.group(1) + "-")]
            limit = int(request.query.get("maxResults", "50"))
            shown = [{"id": i.id, "key": i.key} for i in reversed(newest)][:limit]
            return web.json_response({"issues": shown, "isLast": True})
        if match is None:
            return _bad(
                [f'Error in the JQL Query: the sandbox reads only labels = "x", not {jql!r}.']
            )
        found = [
            i for i in self.issues.values() if match.group(1) in (i.fields.get("labels") or [])
        ]
        issues = [
            {"id": i.id, "key": i.key, "fields": {"status": {"name": i.status}}} for i in found
        ]
        return web.json_response({"issues": issues, "isLast": True})

    async def _link(self, request: web.Request) -> web.Response:
        body = await request.json()
        return add_link(self.links, self.link_types, self.issues, body, str(next(self._ids)))

    async def _link_types(self, _request: web.Request) -> web.Response:
        return web.json_response({"issueLinkTypes": [asdict(t) for t in self.link_types.values()]})

    async def _myself(self, _request: web.Request) -> web.Response:
        return web.json_response({"accountId": self.account_id, "emailAddress": self.email})

    async def _types(self, request: web.Request) -> web.Response:
        project = self._project({"key": request.match_info["project"]})
        if project is None:
            return _missing()
        types = [{"id": t.id, "name": t.name, "subtask": False} for t in project.types.values()]
        return web.json_response(
            {"issueTypes": types, "maxResults": 50, "startAt": 0, "total": len(types)}
        )

    async def _fields(self, request: web.Request) -> web.Response:
        project = self._project({"key": request.match_info["project"]})
        kind = (
            _by_name_or_id(project.types, {"id": request.match_info["type"]}) if project else None
        )
        if kind is None:
            return _missing()
        fields = [
            {"fieldId": f.id, "key": f.id, "name": f.name, "required": f.required,
             "schema": {"type": f.type}, "hasDefaultValue": False, "operations": ["set"]}
            for f in kind.screen.values()
        ]  # fmt: skip
        return web.json_response(
            {"fields": fields, "maxResults": 200, "startAt": 0, "total": len(fields)}
        )

    # -- the workflow and its webhooks ----------------------------------------------
    def _offered(self, issue: JiraIssue) -> list[Transition]:
        return [t for t in self.transitions if t.to != issue.status]

    def move(self, key: str, status: str, by: str = "557058:a-person") -> None:
        """A change of status in Jira (by Firebell through the API, or a person in Jira's
        UI): done, and its webhook queued."""
        issue = self.issues[key]
        before, issue.status = issue.status, status
        link = f"{self.url}/rest/api/3/issue/{issue.id}"
        self.pending.append(
            {
                "timestamp": int(time.time() * 1000),
                "webhookEvent": "jira:issue_updated",
                "issue_event_type_name": "issue_generic",
                "user": {"accountId": by, "accountType": "atlassian"},
                "issue": {"id": issue.id, "key": issue.key, "self": link,
                          "fields": {"status": {"name": status, "id": self.statuses[status]}}},
                "changelog": {"id": str(next(self._ids)), "items": [
                    {"field": "status", "fieldtype": "jira", "fieldId": "status",
                     "from": self.statuses[before], "fromString": before,
                     "to": self.statuses[status], "toString": status}]},
            }
        )  # fmt: skip

    async def deliver_webhooks(self) -> list[tuple[int, Any]]:
        """Send every queued webhook, in order; returns each answer (status, JSON)."""
        sent, self.pending = self.pending, []
        return [await self.send_webhook(body) for body in sent]

    async def send_webhook(
        self, body: dict[str, Any], *, identifier: str | None = None, secret: str | None = None
    ) -> tuple[int, Any]:
        """One signed delivery (`secret` another than the webhook's: a forgery); the same
        `identifier` again is Jira's redelivery."""
        assert self.webhook_url, "set webhook_url first"
        raw = json.dumps(body).encode()
        key = (secret if secret is not None else self.webhook_secret).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature": "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest(),
            "X-Atlassian-Webhook-Identifier": identifier or str(next(self._deliveries)),
        }
        async with aiohttp.ClientSession() as http:
            async with http.post(self.webhook_url, data=raw, headers=headers) as answer:
                return answer.status, await answer.json(content_type=None)

    def _project(self, ref: dict[str, Any]) -> Project | None:
        return next(
            (p for p in self.projects.values() if ref.get("key") == p.key or ref.get("id") == p.id),
            None,
        )


def _by_name_or_id(items: dict[str, Any], ref: Any) -> Any:
    if not isinstance(ref, dict):
        return None
    for name, item in items.items():
        if ref.get("name") == name or (
            ref.get("id") is not None and ref.get("id") == getattr(item, "id", name)
        ):
            return item
    return None


def _shape(t: Transition, statuses: dict[str, str]) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "to": {"id": statuses[t.to], "name": t.to},
        "hasScreen": False,
    }


def _operation(request: web.Request) -> str:
    path = request.path
    if path.endswith("/transitions"):
        return "transition" if request.method == "POST" else "transitions"
    for word, name in (
        ("/createmeta/", "createmeta"),
        ("/search/jql", "search"),
        ("/issueLinkType", "linktypes"),
        ("/issueLink", "link"),
        ("/myself", "myself"),
    ):
        if word in path:
            return name
    return "create" if request.method == "POST" else "get"


def _bad(messages: list[str] | None = None, errors: dict[str, str] | None = None) -> web.Response:
    return jira_error(400, messages or [], errors or {})


def _missing() -> web.Response:
    return jira_error(404, [NOT_FOUND], {})
