"""What `serve` and `socket` check before they start, each failing in one line:
the port, the database, and the Slack tokens (a token Slack refuses is a ConfigError,
exit 2; a Slack that cannot be reached or answers 5xx is a warning, and start goes on)."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from pathlib import Path

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.core.errors import ConfigError, StartupError
from storage.db import Database, normalise_url, safe_url
from storage.migrate import head_revision, newer_than_this_code

log = logging.getLogger("firebell")

# Slack's answers that mean the token itself is wrong: a configuration error (exit 2).
BAD_TOKEN = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
}


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code, or `HTTP <status>` when the answer is no Slack JSON (a 5xx
    from a proxy or from Slack itself carries a text body, not `{"ok": false, ...}`)."""
    response = exc.response
    data = response.data if response is not None else None
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"HTTP {response.status_code}" if response is not None else "no answer"


def check_port(host: str, port: int) -> None:
    """Refuse a port that is out of range or taken, before anything else starts."""
    if not 1 <= port <= 65535:
        raise StartupError(f"--port {port}: a port is a number from 1 to 65535")
    probe = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind((host, port))
    except OSError as exc:
        why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
        raise StartupError(f"port {port} on {host} {why}; choose another with --port") from None
    finally:
        probe.close()


def check_database(url: str, *, must_exist: bool = False) -> None:
    """Open the database once; a SQLite file that must already exist is not created."""
    parsed = make_url(normalise_url(url))
    if must_exist and parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if not path or not Path(path).exists():
            raise StartupError(
                f"DATABASE_URL: there is no database at {path or '(memory)'}; "
                "point DATABASE_URL at Firebell's database (or run `firebell migrate` to make one)"
            )
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        newer = newer_than_this_code(db)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
        raise StartupError(f"DATABASE_URL: cannot open {safe_url(url)}: {reason}") from None
    finally:
        db.dispose()
    if newer:  # an older release started after an upgrade: say so, never a traceback
        raise StartupError(
            f"the database is at migration {newer}, newer than this release knows "
            f"(its latest is {head_revision()}): run the release that migrated it, or "
            "restore the backup taken before the upgrade"
        )


def check_slack_token(settings: Settings) -> None:
    """auth.test once: a token Slack refuses stops start-up (ConfigError, one line); a
    Slack that cannot be reached or answers 5xx is one warning line and start-up goes
    on (Bolt asks again on the first request, the outbox retries, /readyz says 503)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    asyncio.run(_auth_test(token, settings.slack_api_url, settings.slack_timeout_seconds))


async def _auth_test(token: str, base_url: str, timeout: float) -> None:
    client = AsyncWebClient(token=token, base_url=base_url, timeout=int(max(timeout, 1)))
    try:
        await client.auth_test()
    except SlackApiError as exc:
        code = slack_error(exc)
        if code in BAD_TOKEN:
            raise ConfigError(
                f"SLACK_BOT_TOKEN: Slack refused it ({code}); copy the Bot User OAuth Token "
                "from your app's OAuth & Permissions page"
            ) from None
        log.warning("Slack answered auth.test with %s; starting anyway, it is asked again", code)
    except Exception as exc:  # a network error: Slack is away, the token may be fine
        log.warning(
            "cannot reach Slack at %s (%s); starting anyway, it is retried", base_url, _reason(exc)
        )


def check_app_token(settings: Settings) -> None:
    """Socket Mode: apps.connections.open once, as auth.test for the bot token. A token
    Slack refuses stops start-up (one line, exit 2) instead of a retry loop that never
    ends; Slack away is a warning and the connection is retried (bot/serving/socket_link.py)."""
    token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
    asyncio.run(_connections_open(token, settings.slack_api_url, settings.slack_timeout_seconds))


async def _connections_open(token: str, base_url: str, timeout: float) -> None:
    client = AsyncWebClient(base_url=base_url, timeout=int(max(timeout, 1)))
    try:
        await client.apps_connections_open(app_token=token)
    except SlackApiError as exc:
        code = slack_error(exc)
        if code in BAD_TOKEN:
            raise ConfigError(
                f"SLACK_APP_TOKEN: Slack refused it ({code}); copy the App-Level Token "
                "(xapp-…, scope connections:write) from your app's Basic Information page"
            ) from None
        log.warning("Slack answered apps.connections.open with %s; starting anyway", code)
    except Exception as exc:  # Slack is away; the connection is retried with backoff
        log.warning("cannot reach Slack at %s (%s); starting anyway", base_url, _reason(exc))


def _reason(exc: Exception) -> str:
    """An exception in one short line (some carry none, or several)."""
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
