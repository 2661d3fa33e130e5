"""The reviews slice's timeline kinds and their words (see core/timeline.py)."""

from __future__ import annotations

from bot.core.timeline import EventKind


class ReviewEvent(EventKind):
    REVIEW_DRAFTED = "review_drafted", "drafted the post-incident review ({source})"
    REVIEW_EDITED = "review_edited", "edited the post-incident review"
    REVIEW_PUBLISHED = "review_published", "published the post-incident review"
    FOLLOWUP_DONE = "followup_done", "finished the follow-up “{title}”"
