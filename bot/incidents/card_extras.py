"""What the card needs beyond the issue: recent deploys and trace-link templates."""

from __future__ import annotations

from bot.core.durations import format_duration
from bot.detection.config import DetectionConfig
from bot.incidents.card import CardExtras
from bot.incidents.filing import recent_deploys
from storage.db import Database
from storage.models import Issue


def card_extras(db: Database, config: DetectionConfig, issue: Issue) -> CardExtras:
    deploys = []
    if issue.service:
        with db.session() as session:
            deploys = recent_deploys(session, issue.service, issue.created_at, config.deploy_window)
    return CardExtras(
        deploys=deploys,
        deploy_window=format_duration(config.deploy_window),
        trace_links=dict(config.trace_links),
    )
