"""Post-incident reviews: drafted from what was recorded, edited, published.

A draft comes from the model when one is configured (and the issue may be sent
to it), else from the template; a failed or malformed model answer falls back
to the template and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.ai.model import Model, NoModelAnswer
from bot.core.ai.prompt import Facts, Line
from bot.core.clock import Clock
from bot.core.errors import FirebellError
from bot.core.people import Actor
from bot.core.timeline import add_event
from bot.incidents import kinds as incident_kinds
from bot.incidents.channel_history import channel_history
from bot.incidents.checklist import propose_next_if_ready
from bot.incidents.gather import gather_facts
from bot.incidents.queries import step_states
from bot.incidents.rules import require_steer
from bot.playbooks.loader import Playbooks
from bot.playbooks.model import Phase
from bot.reviews import kinds
from bot.reviews.content import INSTRUCTIONS, ActionItem, ReviewContent, unfinished
from bot.reviews.event_kinds import ReviewEvent
from bot.reviews.markdown import to_markdown, with_names
from bot.reviews.template import template_review
from storage.db import Database
from storage.models import FollowUp, Issue, Review, StepState


@dataclass(frozen=True)
class Drafted:
    review: Review
    message: str


class Reviews:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        model: Model,
        playbooks: Playbooks,
    ) -> None:
        self.db = db
        self.clock = clock
        self.model = model
        self.playbooks = playbooks

    async def draft_from_channel(
        self, client: AsyncWebClient, issue_id: int, actor_id: str
    ) -> Drafted:
        """Read the issue channel (the chatter), then draft."""
        issue = await self.db.run(self._issue, issue_id)
        if issue is None:
            raise FirebellError("That issue no longer exists.")
        chatter = await channel_history(client, issue.channel_id, self.model.config.history_limit)
        return await self.draft(issue_id, actor_id, chatter)

    async def draft(self, issue_id: int, actor_id: str, chatter: list[Line]) -> Drafted:
        issue, facts = await self.db.run(self._facts, issue_id, chatter)
        content, source, note = await self._write(issue, facts)
        try:
            review = await self.db.run(self._save_draft, issue_id, actor_id, content, source, note)
        except IntegrityError:
            # A draft asked for at the same moment stored its row first (the model call
            # is awaited between reading and saving): this one replaces it, once.
            review = await self.db.run(self._save_draft, issue_id, actor_id, content, source, note)
        where = "drafted by the model" if source == "model" else "drafted from the template"
        reason = f" ({note})" if note else ""
        return Drafted(review, f"The review of {issue.key} is {where}{reason}.")

    def _issue(self, issue_id: int) -> Issue | None:
        with self.db.session() as session:
            return session.get(Issue, issue_id)

    def _facts(self, issue_id: int, chatter: list[Line]) -> tuple[Issue, Facts]:
        """The issue and what a draft is written from; refused once the review is published."""
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            if issue is None:
                raise FirebellError("That issue no longer exists.")
            existing = session.exec(select(Review).where(Review.issue_id == issue_id)).first()
            if existing is not None and existing.status == "published":
                raise FirebellError(f"The review of {issue.key} is already published.")
            return issue, gather_facts(session, issue, chatter)

    def _save_draft(
        self,
        issue_id: int,
        actor_id: str,
        content: ReviewContent,
        source: str,
        note: str | None,
    ) -> Review:
        now = self.clock.now()
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            assert issue is not None
            review = session.exec(
                select(Review).where(Review.issue_id == issue_id)
            ).first() or Review(
                issue_id=issue_id, source=source, drafted_by=actor_id, drafted_at=now
            )
            if review.status == "published":  # published while this draft was written
                raise FirebellError(f"The review of {issue.key} is already published.")
            review.source, review.note = source, note
            review.content = content.model_dump(mode="json")
            review.drafted_by, review.drafted_at = actor_id, now
            review.status, review.message_ts = "draft", None
            session.add(review)
            add_event(
                session, issue, ReviewEvent.REVIEW_DRAFTED, self.clock, actor_id, source=source
            )
            kinds.send(session, self.clock, issue, kinds.PostReview())
        return review

    async def _write(self, issue: Issue, facts: Facts) -> tuple[ReviewContent, str, str | None]:
        if not self.model.configured:  # the template is the review, nothing to explain
            return template_review(facts), "template", None
        try:
            content = await self.model.ask(
                issue, facts, instructions=INSTRUCTIONS, answer=ReviewContent, what="review"
            )
        except NoModelAnswer as exc:
            return template_review(facts), "template", str(exc)
        return content, "model", None

    def for_editing(self, issue_id: int) -> tuple[Issue, ReviewContent]:
        """The draft to put in the edit form; a published review no longer changes."""
        issue, review = self.get(issue_id)
        if review.status == "published":
            raise FirebellError(f"The review of {issue.key} is published; it no longer changes.")
        return issue, content_of(review)

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
            add_event(session, issue, ReviewEvent.REVIEW_EDITED, self.clock, actor.user_id)
            kinds.send(session, self.clock, issue, kinds.UpdateReview())
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
            content = ReviewContent.model_validate(review.content)
            gaps = unfinished(content)
            if gaps:
                raise FirebellError(
                    f"The review of {issue.key} is not ready to publish: {'; '.join(gaps)}. "
                    "Press *Edit* on the review to fill them in, then *Publish*."
                )
            review.status, review.published_by, review.published_at = (
                "published",
                actor.user_id,
                now,
            )
            session.add(review)
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
                    followup_dm = kinds.DmFollowup(followup.id or 0, "assigned")
                    kinds.send(session, self.clock, issue, followup_dm)
            self._complete_analysis(session, issue, actor, content)
            event = add_event(
                session,
                issue,
                ReviewEvent.REVIEW_PUBLISHED,
                self.clock,
                actor.user_id,
                action_items=len(content.action_items),
            )
            kinds.send(session, self.clock, issue, kinds.UpdateReview())
            kinds.send(session, self.clock, issue, kinds.UploadReview())
            kinds.notice(session, self.clock, issue, event)
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
        incident_kinds.refresh_checklist(session, self.clock, issue, Phase.ANALYSIS.value)
        session.flush()
        propose_next_if_ready(session, self.clock, issue, book)


def review_markdown(issue: Issue, review: Review, names: dict[str, str] | None = None) -> str:
    """The review as a file, with people's names where Slack would show mentions."""
    text = to_markdown(
        issue.key,
        issue.title,
        ReviewContent.model_validate(review.content),
        source=review.source,
        status=review.status,
    )
    return with_names(text, names or {})


def content_of(review: Review) -> ReviewContent:
    return ReviewContent.model_validate(review.content)
