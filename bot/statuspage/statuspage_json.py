"""The status page as Atlassian Statuspage's public JSON (`/api/v2/summary.json` and
`/api/v2/incidents.json`): its field names and its words, so tools that read a
Statuspage page read Firebell's. Fields Firebell has nothing for (groups, tweets,
start dates) are there with Statuspage's empty values, as its pages send them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.statuspage.board import Board, Component, Incident
from bot.statuspage.words import INDICATOR

TIME_ZONE = "Etc/UTC"  # every time here is UTC


def when(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def page(board: Board, page_url: str) -> dict[str, Any]:
    return {
        "id": board.page_id,
        "name": board.title,
        "url": page_url,
        "time_zone": TIME_ZONE,
        "updated_at": when(board.updated_at),
    }


def component(board: Board, position: int, c: Component) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "status": c.status.value,
        "created_at": when(board.since),
        "updated_at": when(c.updated_at),
        "position": position + 1,
        "description": c.description,
        "showcase": True,
        "start_date": None,
        "group_id": None,
        "page_id": board.page_id,
        "group": False,
        "only_show_if_degraded": False,
    }


def incident(board: Board, i: Incident, page_url: str) -> dict[str, Any]:
    return {
        "id": i.id,
        "name": i.name,
        "status": i.status.value,
        "created_at": when(i.created_at),
        "updated_at": when(i.updated_at),
        "monitoring_at": when(i.monitoring_at),
        "resolved_at": when(i.resolved_at),
        "impact": i.impact.value,
        "shortlink": f"{page_url}#incident-{i.id}",
        "started_at": when(i.started_at),
        "page_id": board.page_id,
        "incident_updates": [
            {
                "id": u.id,
                "status": u.status.value,
                "body": u.body,
                "incident_id": i.id,
                "created_at": when(u.at),
                "updated_at": when(u.at),
                "display_at": when(u.at),
                "affected_components": None,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
            for u in i.updates
        ],
        "components": [component(board, n, board.components[n]) for n in i.components],
    }


def summary(board: Board, page_url: str) -> dict[str, Any]:
    """The page, every component, the unresolved incidents and the headline."""
    return {
        "page": page(board, page_url),
        "components": [component(board, n, c) for n, c in enumerate(board.components)],
        "incidents": [incident(board, i, page_url) for i in board.open],
        "scheduled_maintenances": [],
        "status": {
            "indicator": board.indicator.value,
            "description": INDICATOR[board.indicator],
        },
    }


def incidents(board: Board, page_url: str) -> dict[str, Any]:
    """Every incident the page lists: open ones and those resolved lately."""
    return {
        "page": page(board, page_url),
        "incidents": [incident(board, i, page_url) for i in board.incidents],
    }
