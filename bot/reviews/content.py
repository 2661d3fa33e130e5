"""The shape of a review, as asked of the model and as stored."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# What a section says until someone writes it (the template's words, and the model's for an
# unknown root cause); a review whose root cause still says it is not published.
NOT_RECORDED = "Not recorded yet: fill it in with Edit."

# What the model is asked for: a ReviewContent, as JSON.
INSTRUCTIONS = (
    "You draft blameless post-incident reviews for an engineering team. Use only the facts "
    "given; where a fact is missing, say it is not recorded. Answer with one JSON object with "
    "exactly these keys: summary, customer_impact, detection, response, resolution (strings), "
    "timeline (a list of {time, event}), root_cause (string), contributing_factors, went_well, "
    "went_badly, lessons_learned (lists of strings), action_items (a list of {title, owner, "
    "due_date, priority}) where owner is a Slack user ID from the participants or null, "
    "due_date is YYYY-MM-DD or null, and priority is low, medium or high. Detection says how and "
    "when the issue was detected and the time to detect; resolution separates the time to fix "
    "from the time to deploy. If the root cause is not known from the facts, set root_cause to "
    f"exactly: {NOT_RECORDED}"
)


class TimelineEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")

    time: str = Field(max_length=40)
    event: str = Field(max_length=500)


class ActionItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=200)
    owner: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{1,30}$")  # a Slack user ID
    due_date: date | None = None
    priority: Literal["low", "medium", "high"] = "medium"

    def missing(self) -> list[str]:
        """What this action still needs before the review is published."""
        return [
            what
            for what, value in (("an owner", self.owner), ("a due date", self.due_date))
            if not value
        ]


def root_cause_missing(text: str) -> bool:
    """Whether a root cause is still empty or the placeholder, saved as it was drafted."""
    return text.strip().casefold() in {"", NOT_RECORDED.casefold()}


def unfinished(content: ReviewContent) -> list[str]:
    """What stops a review being published, each in a few words (none: it may be)."""
    gaps = ["the root cause is not recorded"] if root_cause_missing(content.root_cause) else []
    for number, item in enumerate(content.action_items, start=1):
        if item.missing():
            gaps.append(f"action {number} needs {' and '.join(item.missing())}")
    return gaps


class ReviewContent(BaseModel):
    """Every section of the review; a model answer must fit this exactly."""

    model_config = ConfigDict(extra="ignore")

    summary: str = Field(min_length=1, max_length=3000)
    customer_impact: str = Field(max_length=3000)
    detection: str = Field(max_length=3000)
    response: str = Field(max_length=3000)
    resolution: str = Field(max_length=3000)
    timeline: list[TimelineEntry] = Field(default_factory=list, max_length=60)
    root_cause: str = Field(max_length=3000)
    contributing_factors: list[str] = Field(default_factory=list, max_length=20)
    went_well: list[str] = Field(default_factory=list, max_length=20)
    went_badly: list[str] = Field(default_factory=list, max_length=20)
    action_items: list[ActionItem] = Field(default_factory=list, max_length=20)
    lessons_learned: list[str] = Field(default_factory=list, max_length=20)


SECTION_TITLES = {
    "summary": "Summary",
    "customer_impact": "Customer impact",
    "detection": "Detection",
    "response": "Response",
    "resolution": "Resolution",
    "timeline": "Timeline",
    "root_cause": "Root cause",
    "contributing_factors": "Contributing factors",
    "went_well": "What went well",
    "went_badly": "What went badly",
    "action_items": "Action items",
    "lessons_learned": "Lessons learned",
}
