"""The Review page (`/issues/INC-n/review`) and the On call page (`/oncall`).

Nothing here decides anything: who may see an issue is `pages.visible_issue` (the one
visibility rule), who may edit or publish a review is bot/reviews/service.py (the same
calls as the Slack modal and buttons), who is on call is bot/sla/oncall.py, and who was
paged is bot/sla/page_log.py. The review's Markdown (bot/reviews/markdown.py, the file
Slack gets) is rendered with markdown-it-py, raw HTML off, so a review cannot inject markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from aiohttp import web
from markupsafe import Markup

from bot.core.errors import FirebellError
from bot.core.membership import members_of
from bot.incidents.report_form import FormErrors
from bot.reviews.content import ActionItem, ReviewContent, unfinished
from bot.reviews.edit_checks import OWNER, ActionRow, check_edit, factor_lines
from bot.reviews.followups import FollowUps
from bot.reviews.markdown import people_in, to_markdown, with_names
from bot.reviews.service import Reviews, content_of
from bot.reviews.views import ACTION_ROWS
from bot.sla.config import EscalationPolicy
from bot.sla.oncall import OnCall, OnCallNow, overrides_for
from bot.sla.page_log import PagedCount, paged_since
from bot.sla.rotations import OverrideWindow, config_overrides
from bot.sla.targets import PageTarget, TargetKind
from bot.web import pages
from bot.web.issue_pages import _named
from bot.web.security import WEB_ROUTE, csrf_ok
from storage.db import Database
from storage.models import Issue

if TYPE_CHECKING:
    from bot.web.routes import WebApp


# CommonMark with raw HTML off: `<script>` in a review is shown as text, links are checked
# (no javascript:), and nothing in it can break out of the page.
@cache
def _markdown() -> Any:
    """markdown-it, built at the first review shown (not at start-up)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})


def render_markdown(text: str) -> Markup:
    return Markup(_markdown().render(text))  # markdown-it escapes; raw HTML is off


# -- the review -----------------------------------------------------------------------


@dataclass
class ReviewForm:
    root_cause: str
    factors: str
    actions: list[ActionRow]
    errors: dict[str, str] = field(default_factory=dict)
    checked: tuple[str, list[str], list[ActionItem]] | None = None  # for Reviews.edit


@dataclass
class ReviewPage:
    issue: Issue
    status: str  # "none" (no draft yet), "draft" or "published"
    text: str  # the review's Markdown, mentions as <@U…> until names are known
    form: ReviewForm | None
    members: list[str]
    followups: list[tuple[str, str | None, str, str]]  # title, owner id, due, priority
    gaps: list[str]
    message: str = ""
    previewing: bool = False
    html: Markup = field(default_factory=Markup)

    @property
    def user_ids(self) -> set[str]:
        """Whom the page names: members, commander, owners, people the review mentions."""
        ids = {*self.members, *(owner for _t, owner, _d, _p in self.followups if owner)}
        ids |= {row.owner for row in self.form.actions if row.owner} if self.form else set()
        ids |= people_in(self.text)
        if self.issue.commander_id:
            ids.add(self.issue.commander_id)
        return {i for i in ids if OWNER.fullmatch(i)}

    def named(self, names: dict[str, str]) -> None:
        """Render the Markdown with people's names (markdown-it escapes them)."""
        self.html = render_markdown(with_names(self.text, names))


def _form_of(content: ReviewContent) -> ReviewForm:
    rows = [
        ActionRow(a.title, a.owner or "", a.due_date.isoformat() if a.due_date else "")
        for a in content.action_items
    ]
    rows += [ActionRow() for _ in range(ACTION_ROWS - len(rows))]
    return ReviewForm(content.root_cause, "\n".join(content.contributing_factors), rows)


def parse_form(posted: Mapping[str, object], today: date) -> ReviewForm:
    """The posted form, checked as the Slack modal is (bot/reviews/edit_checks.py)."""

    def text(name: str, limit: int = 3000) -> str:
        value = posted.get(name)
        return value[:limit] if isinstance(value, str) else ""

    asked = text("rows", 2)
    count = min(20, max(ACTION_ROWS, int(asked))) if asked.isdigit() else ACTION_ROWS
    rows = [
        ActionRow(
            text(f"action_title{n}", 200).strip(),
            text(f"action_owner{n}", 40).strip(),
            text(f"action_due{n}", 10).strip(),
        )
        for n in range(1, count + 1)
    ]
    form = ReviewForm(text("root_cause"), text("factors"), rows)
    try:
        form.checked = check_edit(form.root_cause, form.factors, rows, today)
    except FormErrors as exc:
        form.errors = exc.errors
    return form


def _previewed(content: ReviewContent, form: ReviewForm) -> ReviewContent:
    """The draft as it would read with the form's (unsaved) words."""
    shown = content.model_copy()
    shown.root_cause = form.root_cause.strip() or content.root_cause
    shown.contributing_factors = factor_lines(form.factors)
    items = []
    for row in form.actions:
        if not row.title:
            continue
        try:
            due = date.fromisoformat(row.due) if row.due else None
        except ValueError:
            due = None
        owner = row.owner if OWNER.fullmatch(row.owner) else None
        items.append(ActionItem(title=row.title, owner=owner, due_date=due))
    shown.action_items = items
    return shown


def _owners_as_mentions(content: ReviewContent) -> ReviewContent:
    """A copy whose action owners read <@U…>, so the page names them like any mention."""
    shown = content.model_copy()
    shown.action_items = [
        item.model_copy(update={"owner": f"<@{item.owner}>"})
        if item.owner and OWNER.fullmatch(item.owner)
        else item
        for item in content.action_items
    ]
    return shown


def review_page(
    db: Database,
    reviews: Reviews,
    followups: FollowUps,
    number: int,
    user_id: str,
    form: ReviewForm | None = None,
) -> ReviewPage | None:
    """None when the issue does not exist or `user_id` may not see it (a 404 either way)."""
    issue = pages.visible_issue(db, number, user_id)
    if issue is None or issue.id is None:
        return None
    with db.session() as session:
        members = sorted(members_of(session, issue))
    try:
        _issue, review = reviews.get(issue.id)
    except FirebellError as exc:  # no draft yet
        return ReviewPage(issue, "none", "", None, members, [], [], message=str(exc))
    content = content_of(review)
    previewing = form is not None
    shown = _previewed(content, form) if form is not None else content
    text = to_markdown(
        issue.key,
        issue.title,
        _owners_as_mentions(shown),
        source=review.source,
        status=review.status,
    )
    listed = [
        (
            f.title,
            f.owner_id,
            f.due_on.isoformat() if f.due_on else "no date",
            f.priority,
        )
        for f, i in followups.listing(user_id, mine=False)
        if i.id == issue.id
    ]
    editable = review.status != "published"
    return ReviewPage(
        issue,
        review.status,
        text,
        (form or _form_of(content)) if editable else None,
        members,
        listed,
        unfinished(shown) if editable else [],
        previewing=previewing,
    )


# -- on call ------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    name: str
    applies_to: str
    starts: str
    repeat: int
    steps: list[tuple[int, str, str]]  # number, whom, wait


@dataclass
class OnCallPage:
    schedules: list[OnCallNow]
    overrides: dict[str, list[OverrideWindow]]
    policies: list[Policy]
    paged: list[PagedCount]
    since: datetime
    message: str = ""

    @property
    def user_ids(self) -> set[str]:
        """The people on the page (schedules, overrides, who was paged), to name them."""
        ids = {t.user for s in self.schedules for t in (s.now, s.next) if t is not None}
        ids |= {w.user for windows in self.overrides.values() for w in windows}
        ids |= {p.target for p in self.paged if p.target_kind == TargetKind.USER}
        return {i for i in ids if OWNER.fullmatch(i)}


def _target_words(target: PageTarget) -> str:
    """A target as the page shows it; a pager's key never."""
    return {
        TargetKind.USER: target.value,
        TargetKind.USERGROUP: f"user group {target.value}",
        TargetKind.SCHEDULE: f"whoever is on call for {target.value}",
        TargetKind.CHANNEL: f"channel {target.value}",
        TargetKind.PAGERDUTY: "PagerDuty",
        TargetKind.OPSGENIE: "Opsgenie",
    }[target.kind]


def _policy(policy: EscalationPolicy) -> Policy:
    rule = policy.match
    parts = [
        ", ".join(rule.severities),
        ", ".join(rule.types),
        ("services " + ", ".join(rule.services)) if rule.services else "",
    ]
    applies = "; ".join(p for p in parts if p) or "every issue"
    starts = "when the issue is opened" if policy.start == "on_open" else "when an SLA runs low"
    steps = [
        (
            n,
            ", ".join(_target_words(PageTarget.configured(t)) for t in step.targets),
            f"{int(step.wait.total_seconds() // 60)} min",
        )
        for n, step in enumerate(policy.steps, 1)
    ]
    return Policy(policy.name, applies, starts, policy.repeat, steps)


def oncall_page(db: Database, oncall: OnCall, now: datetime) -> OnCallPage:
    week = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    policies = [_policy(p) for p in oncall.config.escalation_policies]
    try:
        schedules = oncall.who()
    except FirebellError as exc:  # none configured
        return OnCallPage([], {}, policies, [], week, str(exc).replace("`", ""))
    with db.session() as session:
        overrides = {
            s.schedule.name: [
                *overrides_for(session, s.schedule.name, now),
                *(w for w in config_overrides(s.schedule) if w.end > now),
            ]
            for s in schedules
        }
        paged = paged_since(session, week)
    return OnCallPage(schedules, overrides, policies, paged, week)


# -- routes -------------------------------------------------------------------------


class ReviewRoutes:
    def __init__(self, app: WebApp, reviews: Reviews, followups: FollowUps, oncall: OnCall):
        self.w = app
        self.reviews = reviews
        self.followups = followups
        self.oncall = oncall

    async def _page(
        self, request: web.Request, number: int | None, user_id: str, form: ReviewForm | None
    ) -> ReviewPage | None:
        if number is None:
            return None
        d = self.w.d
        return await d.db.run(
            review_page, d.db, self.reviews, self.followups, number, user_id, form
        )

    async def show(self, request: web.Request) -> web.Response:
        person = await self.w._person(request)
        page = await self._page(request, await self.w._number(request), person.user_id, None)
        if page is None:
            return self.w._not_found(request, person)
        if request.query.get("done") == "saved":
            page.message = f"The review of {page.issue.key} is updated."
        return await self._render(request, person, page)

    async def _render(
        self, request: web.Request, person: Any, page: ReviewPage, status: int = 200
    ) -> web.Response:
        d = self.w.d
        names = await self.w.names.of(d.client, page.user_ids, d.clock.now())
        page.named(names)
        return self.w._page(
            request, "review.html", status, person=person, page=page, name=_named(names)
        )

    async def post(self, request: web.Request) -> web.Response:
        person = await self.w._person(request)
        if not await csrf_ok(request, person):
            return self.w._refused(request, "That form had expired; please reload and try again.")
        number = await self.w._number(request)
        d = self.w.d
        issue = None
        if number is not None:
            issue = await d.db.run(pages.visible_issue, d.db, number, person.user_id)
        if issue is None or issue.id is None:
            return self.w._not_found(request, person)
        posted = await request.post()
        action = posted.get("action")
        actor = await d.people.actor(d.client, person.user_id)
        status, message = 200, ""
        form = None
        try:
            if action == "publish":
                message = await d.db.run(self.reviews.publish, issue.id, actor)
            else:
                form = parse_form(posted, d.clock.now().date())
                if action == "save" and form.checked is not None:
                    await d.db.run(self.reviews.edit, issue.id, actor, *form.checked)
                    raise web.HTTPSeeOther(f"/issues/{issue.key}/review?done=saved")
                status = 400 if action == "save" else 200
        except FirebellError as exc:  # the service's refusal, in its own words
            status, message = 403, str(exc)
        page = await self._page(request, number, person.user_id, form)
        if page is None:
            return self.w._not_found(request, person)
        page.message = with_names(message, {}).replace("*", "")  # Slack's marks, as text
        return await self._render(request, person, page, status)

    async def preview(self, request: web.Request) -> web.Response:
        """The draft rendered with the form's unsaved words, as an HTML fragment (the live
        preview of static/review.js; the page's Preview button does the same without JS)."""
        person = await self.w._person(request)
        if not await csrf_ok(request, person):
            return self.w._refused(request, "That form had expired; please reload and try again.")
        d = self.w.d
        form = parse_form(await request.post(), d.clock.now().date())
        page = await self._page(request, await self.w._number(request), person.user_id, form)
        if page is None or page.status == "none":
            return self.w._not_found(request, person)
        names = await self.w.names.of(d.client, page.user_ids, d.clock.now())
        page.named(names)
        return web.Response(text=str(page.html), content_type="text/html")

    async def oncall_page(self, request: web.Request) -> web.Response:
        person = await self.w._person(request)
        d = self.w.d
        page = await d.db.run(oncall_page, d.db, self.oncall, d.clock.now())
        names = await self.w.names.of(d.client, page.user_ids, d.clock.now())
        return self.w._page(request, "oncall.html", person=person, page=page, name=_named(names))


def add_review_routes(app: web.Application, web_app: WebApp) -> None:
    d = web_app.d
    routes = ReviewRoutes(web_app, d.reviews, d.followups, d.oncall)
    r = app.router
    r.add_get("/issues/{key}/review", routes.show, name=WEB_ROUTE + "review")
    r.add_post("/issues/{key}/review", routes.post, name=WEB_ROUTE + "review_post")
    r.add_post("/issues/{key}/review/preview", routes.preview, name=WEB_ROUTE + "review_preview")
    r.add_get("/oncall", routes.oncall_page, name=WEB_ROUTE + "oncall")
