"""Post-incident reviews: drafted from what was recorded, edited, published.

A draft comes from the model when one is configured (and the issue may be sent
to it), else from the template; a failed or malformed model answer falls back
to the template and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.durations import format_duration
from bot.core.errors import FirebellError
from bot.incidents import outbox as effects
from bot.incidents.checklist import propose_next_if_ready, step_states
from bot.incidents.filing import add_event
from bot.incidents.list_views import describe_event
from bot.incidents.rules import Actor, require_steer
from bot.playbooks.loader import Playbooks
from bot.playbooks.model import Phase
from bot.reviews.content import ActionItem, ReviewContent
from bot.reviews.facts import KEEP_KINDS, Facts, Line, build_prompt
from bot.reviews.model_call import ModelFailure, ask_model
from bot.reviews.template import template_review
from bot.sla.config import ReviewConfig
from storage.db import Database
from storage.models import FollowUp, Issue, Participant, Review, SlaClock, StepState, TimelineEvent


@dataclass(frozen=True)
class Drafted:
    review: Review
    message: str


def _span(start: datetime | None, end: datetime | None) -> str | None:
    return format_duration(end - start) if start and end else None


def gather_facts(session: Session, issue: Issue, chatter: list[Line]) -> Facts:
    assert issue.id is not None
    roles: dict[str, list[str]] = {}
    for row in session.exec(select(Participant).where(Participant.issue_id == issue.id)):
        roles.setdefault(row.user_id, []).append(row.role)
    breaches = [
        c.kind
        for c in session.exec(
            select(SlaClock).where(
                SlaClock.issue_id == issue.id, col(SlaClock.breached_at).is_not(None)
            )
        )
    ]
    sla = {
        k: v
        for k, v in {
            "time_to_acknowledge": _span(issue.created_at, issue.acknowledged_at),
            "time_to_fix": _span(issue.created_at, issue.fixed_at),
            "time_to_deploy": _span(issue.created_at, issue.deployed_at),
            "fix_to_deploy": _span(issue.fixed_at, issue.deployed_at),
            "breaches": ", ".join(breaches) or "none",
        }.items()
        if v
    }
    answers = {s.step_id: s.answer for s in step_states(session, issue.id).values() if s.answer}
    events = session.exec(
        select(TimelineEvent)
        .where(TimelineEvent.issue_id == issue.id)
        .order_by(col(TimelineEvent.at), col(TimelineEvent.id))
    )
    lines = [
        Line(
            e.at,
            f"<@{e.actor_id}>" if e.actor_id else "firebell",
            describe_event(e).split("> ", 1)[-1] if e.actor_id else describe_event(e),
            e.kind in KEEP_KINDS,
        )
        for e in events
    ]
    return Facts(
        issue={
            "key": issue.key,
            "title": issue.title,
            "type": issue.type,
            "severity": issue.severity,
            "priority": issue.priority,
            "service": issue.service,
            "status": issue.status,
            "environment": (issue.environment or "")[:1000],
            "description": (issue.description or "")[:2000],
            "users_affected": issue.users_affected,
            "reporter": f"<@{issue.reporter_id}>",
            "commander": f"<@{issue.commander_id}>" if issue.commander_id else None,
            "assignee": f"<@{issue.assignee_id}>" if issue.assignee_id else None,
            "created_at": f"{issue.created_at:%Y-%m-%d %H:%M} UTC",
            "source": issue.source_permalink,
        },
        sla=sla,
        answers=answers,
        participants={user: ", ".join(r) for user, r in roles.items()},
        lines=[*lines, *chatter],
    )


class Reviews:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        config: ReviewConfig,
        playbooks: Playbooks,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.config = config
        self.playbooks = playbooks

    async def draft(self, issue_id: int, actor_id: str, chatter: list[Line]) -> Drafted:
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            if issue is None:
                raise FirebellError("That issue no longer exists.")
            existing = session.exec(select(Review).where(Review.issue_id == issue_id)).first()
            if existing is not None and existing.status == "published":
                raise FirebellError(f"The review of {issue.key} is already published.")
            facts = gather_facts(session, issue, chatter)
        content, source, note = await self._write(issue, facts)
        now = self.clock.now()
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            assert issue is not None
            review = session.exec(
                select(Review).where(Review.issue_id == issue_id)
            ).first() or Review(
                issue_id=issue_id, source=source, drafted_by=actor_id, drafted_at=now
            )
            review.source, review.note = source, note
            review.content = content.model_dump(mode="json")
            review.drafted_by, review.drafted_at = actor_id, now
            review.status, review.message_ts = "draft", None
            session.add(review)
            add_event(session, issue, "review_drafted", self.clock, actor_id, source=source)
            effects.enqueue(session, self.clock, issue, "post_review")
        where = "drafted by the model" if source == "model" else "drafted from the template"
        reason = f" ({note})" if note else ""
        return Drafted(review, f"The review of {issue.key} is {where}{reason}.")

    async def _write(self, issue: Issue, facts: Facts) -> tuple[ReviewContent, str, str | None]:
        key = self.settings.openai_api_key
        if key is None:
            return template_review(facts), "template", None
        if issue.private and not self.config.allow_private:
            return (
                template_review(facts),
                "template",
                ("a private issue is not sent to the model; review.allow_private is off"),
            )
        prompt = build_prompt(
            facts, self.config.token_budget, redact_emails=self.config.redact_emails
        )
        try:
            content = await ask_model(
                prompt,
                api_key=key.get_secret_value(),
                base_url=self.settings.openai_base_url,
                model=self.settings.openai_model,
                timeout=self.config.timeout_seconds,
                max_retries=self.config.max_retries,
            )
        except ModelFailure as exc:
            return template_review(facts), "template", f"the model failed: {exc}"
        return content, "model", None

    def get(self, issue_id: int) -> tuple[Issue, Review]:
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            review = session.exec(select(Review).where(Review.issue_id == issue_id)).first()
        if issue is None or review is None:
            raise FirebellError(
                "There is no review draft for that issue yet: `/incident review` drafts one."
            )
        return issue, review

    def edit(
        self,
        issue_id: int,
        actor: Actor,
        root_cause: str,
        factors: list[str],
        actions: list[ActionItem],
    ) -> str:
        with self.db.session() as session:
            review = session.exec(select(Review).where(Review.issue_id == issue_id)).first()
            issue = session.get(Issue, issue_id)
            if review is None or issue is None:
                raise FirebellError("There is no review draft to edit.")
            if review.status == "published":
                raise FirebellError(
                    f"The review of {issue.key} is published; it no longer changes."
                )
            content = ReviewContent.model_validate(review.content)
            content.root_cause = root_cause.strip() or content.root_cause
            content.contributing_factors = factors
            content.action_items = actions
            review.content = content.model_dump(mode="json")
            session.add(review)
            add_event(session, issue, "review_edited", self.clock, actor.user_id)
            effects.enqueue(session, self.clock, issue, "update_review")
            return f"The review of {issue.key} is updated."

    def publish(self, issue_id: int, actor: Actor) -> str:
        now = self.clock.now()
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            review = session.exec(select(Review).where(Review.issue_id == issue_id)).first()
            if issue is None or review is None:
                raise FirebellError("There is no review draft to publish.")
            require_steer(issue, actor, "publish the review")
            if review.status == "published":
                return f"The review of {issue.key} was already published."
            review.status, review.published_by, review.published_at = (
                "published",
                actor.user_id,
                now,
            )
            session.add(review)
            content = ReviewContent.model_validate(review.content)
            for item in content.action_items:
                followup = FollowUp(
                    issue_id=issue_id,
                    title=item.title,
                    owner_id=item.owner,
                    due_on=item.due_date,
                    priority=item.priority,
                    created_at=now,
                )
                session.add(followup)
                session.flush()
                if item.owner:
                    effects.enqueue(
                        session,
                        self.clock,
                        issue,
                        "dm_followup",
                        followup_id=followup.id,
                        reason="assigned",
                    )
            self._complete_analysis(session, issue, actor, content)
            add_event(
                session,
                issue,
                "review_published",
                self.clock,
                actor.user_id,
                action_items=len(content.action_items),
            )
            effects.enqueue(session, self.clock, issue, "update_review")
            effects.enqueue(session, self.clock, issue, "upload_review")
            effects.announce(
                session,
                self.clock,
                issue,
                f"<@{actor.user_id}> published the post-incident review of "
                f"{issue.key} with {len(content.action_items)} action items.",
            )
            return f"The review of {issue.key} is published."

    def _complete_analysis(
        self, session: Session, issue: Issue, actor: Actor, content: ReviewContent
    ) -> None:
        """The review covers the analysis phase: its open steps are done, with answers."""
        assert issue.id is not None
        book = self.playbooks.get(issue.playbook)
        done = step_states(session, issue.id)
        answers = {"root-cause": content.root_cause}
        for step in book.steps(Phase.ANALYSIS):
            if step.id in done:
                continue
            session.add(
                StepState(
                    issue_id=issue.id,
                    phase=Phase.ANALYSIS.value,
                    step_id=step.id,
                    state="done",
                    actor_id=actor.user_id,
                    at=self.clock.now(),
                    answer=answers.get(step.id) if step.question else None,
                )
            )
        effects.refresh_checklist(session, self.clock, issue, Phase.ANALYSIS.value)
        session.flush()
        propose_next_if_ready(session, self.clock, issue, book)


class FollowUps:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def listing(self, user_id: str, mine: bool) -> list[tuple[FollowUp, Issue]]:
        with self.db.session() as session:
            stmt = (
                select(FollowUp, Issue)
                .join(Issue, col(Issue.id) == FollowUp.issue_id)
                .where(FollowUp.status == "open")
            )
            if mine:
                stmt = stmt.where(FollowUp.owner_id == user_id)
            return [(f, i) for f, i in session.exec(stmt.order_by(col(FollowUp.due_on)))]

    def finish(self, followup_id: int, actor: Actor) -> str:
        with self.db.session() as session:
            followup = session.get(FollowUp, followup_id)
            if followup is None:
                raise FirebellError("That follow-up no longer exists.")
            if followup.status == "done":
                return f"“{followup.title}” was already done."
            if followup.owner_id not in (None, actor.user_id) and not actor.is_admin:
                raise FirebellError(
                    f"Only its owner <@{followup.owner_id}> or an admin can finish that follow-up."
                )
            followup.status, followup.done_at = "done", self.clock.now()
            session.add(followup)
            issue = session.get(Issue, followup.issue_id)
            assert issue is not None
            add_event(
                session, issue, "followup_done", self.clock, actor.user_id, title=followup.title
            )
            return f"“{followup.title}” is done."

    def remind(self) -> int:
        """DM owners once a day before the due date and once when overdue."""
        from bot.sla.engine import record_once

        now = self.clock.now()
        today = now.date()
        sent = 0
        with self.db.session() as session:
            due = session.exec(
                select(FollowUp).where(
                    FollowUp.status == "open",
                    col(FollowUp.owner_id).is_not(None),
                    col(FollowUp.due_on).is_not(None),
                    col(FollowUp.due_on) <= today + timedelta(days=1),
                )
            )
            for followup in due:
                assert followup.due_on is not None
                reason = "overdue" if followup.due_on < today else "due_soon"
                if not record_once(
                    session,
                    f"followup:{followup.id}:{reason}",
                    followup.issue_id,
                    "followup_reminder",
                    now,
                ):
                    continue
                issue = session.get(Issue, followup.issue_id)
                assert issue is not None
                effects.enqueue(
                    session,
                    self.clock,
                    issue,
                    "dm_followup",
                    followup_id=followup.id,
                    reason=reason,
                )
                sent += 1
        return sent


def review_markdown(issue: Issue, review: Review) -> str:
    from bot.reviews.markdown import to_markdown

    return to_markdown(
        issue.key,
        issue.title,
        ReviewContent.model_validate(review.content),
        source=review.source,
        status=review.status,
    )


def content_of(review: Review) -> ReviewContent:
    return ReviewContent.model_validate(review.content)


def history_lines(messages: list[dict[str, Any]], bot_user: str | None) -> list[Line]:
    """Channel messages as timeline chatter (the bot's own are already on the timeline)."""
    from datetime import UTC

    lines = []
    for message in messages:
        if message.get("user") == bot_user or message.get("bot_id") or not message.get("text"):
            continue
        lines.append(
            Line(
                datetime.fromtimestamp(float(message["ts"]), tz=UTC),
                f"<@{message.get('user', '?')}>",
                message["text"][:2000],
                False,
            )
        )
    return lines
