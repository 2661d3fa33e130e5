"""What create_app wires of the outside tools, by what firebell.yml sets up: their
hooks, their card links, their outbox steps and kinds, their timeline kinds and their
webhook routes. One list here, so adding a tool does not grow bot/app.py."""

from __future__ import annotations

from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import FirebellConfig
from bot.core.clock import Clock
from bot.core.delivery import Payload, Step
from bot.incidents.card_extras import CardSettings, OutsideLinks
from bot.incidents.filing import Filing
from bot.incidents.hooks import IssueHooks
from bot.integrations.event_kinds import IntegrationEvent
from bot.integrations.jira_delivery import JiraDelivery, jira_links
from bot.integrations.jira_hooks import JiraHooks
from bot.integrations.jira_kinds import JiraEvent, JiraKind
from bot.integrations.jira_sync import JiraSync
from bot.integrations.jira_webhook import add_jira_routes
from bot.integrations.kinds import IntegrationKind
from bot.integrations.zendesk_delivery import ZendeskDelivery
from bot.integrations.zendesk_hooks import TellTickets, zendesk_links
from bot.integrations.zendesk_webhook import add_zendesk_route
from storage.db import Database

OUTBOX_KINDS = (IntegrationKind, JiraKind)
TIMELINE_KINDS = (IntegrationEvent, JiraEvent)


def card_links(config: FirebellConfig) -> tuple[OutsideLinks, ...]:
    """The card links where the issue is tracked outside: its Jira issue, its tickets."""
    return ((jira_links,) if config.jira else ()) + ((zendesk_links,) if config.zendesk else ())


def hooks(config: FirebellConfig, clock: Clock) -> list[IssueHooks]:
    found: list[IssueHooks] = []
    if config.jira is not None:
        found.append(JiraHooks(config.jira, clock))  # Jira issues by rule; statuses
    if config.zendesk is not None:
        found.append(TellTickets(clock))  # Zendesk tickets hear what reporters hear
    return found


def deliveries(
    db: Database, clock: Clock, client: AsyncWebClient, config: FirebellConfig, card: CardSettings
) -> list[dict[type[Payload], Step]]:
    return [
        JiraDelivery(db, clock, config.jira, card).table(),
        ZendeskDelivery(db, clock, client, config.zendesk).table(),
    ]


def add_webhook_routes(
    app: web.Application,
    config: FirebellConfig,
    jira: JiraSync,
    db: Database,
    clock: Clock,
    filing: Filing,
) -> None:
    """Before /webhooks/{source}, which would take the tool's name as an alert source;
    each signs its requests its own way."""
    add_jira_routes(app, config.jira, jira, db, clock)
    add_zendesk_route(app, db, clock, filing, config.zendesk)
