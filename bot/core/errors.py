"""One error path: domain errors carry the message a user should read."""

from __future__ import annotations

import secrets


class FirebellError(Exception):
    """An error whose message is safe and useful to show to a Slack user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # The modal block this error belongs to, when it comes from a form.
        self.field = field


class ConfigError(Exception):
    """Bad settings or config file; stops start-up with one line per problem."""


class StartupError(Exception):
    """Something outside Firebell stops it starting (a port, the database, the token);
    the message is the one line to print."""


def new_error_id() -> str:
    """A short id printed in the log and shown to the user, to find one from the other."""
    return "E" + secrets.token_hex(4).upper()
