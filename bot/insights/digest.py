"""The weekly digest's figures: the last 7 days against the 7 before. The digest belongs
to the SLA slice, below this one; create_app hands it this function."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.insights.figures import a_channel, baseline, figures, period
from bot.insights.stats_views import digest_figures
from storage.db import Database


def weekly_sections(db: Database, now: datetime) -> list[dict[str, Any]]:
    before_start, start, end = period(now, 7)
    channel = a_channel()  # private issues counted, never named
    return digest_figures(
        figures(db, start, end, now=now, audience=channel),
        baseline(db, before_start, start, audience=channel),
    )
