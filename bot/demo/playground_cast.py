"""The playground's people and its firebell.yml.

Without a config: Dana from support, Sam and Pat on call in turn, Alex an admin, and a
config that pages the on-call person and takes alerts and deploys. With a config under
test, the file stays exactly as loaded; the sandbox's people take its Slack ids instead:
the schedules' people become Sam and Pat (in the order they appear), the first admin
becomes Alex, and every other id becomes an extra person named after it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pydantic import SecretStr

from bot.config import FirebellConfig
from sandbox.workspace import Channel, User, Workspace

# Slack's ids: 9 to 11 capitals and digits, with a digit (so "UTC" is no person).
USER_ID = re.compile(r"^[UW](?=[A-Z]*[0-9])[A-Z0-9]{8,12}$")
GROUP_ID = re.compile(r"^S(?=[A-Z]*[0-9])[A-Z0-9]{8,12}$")
ON_CALL = (("sam", "Sam (on call)"), ("pat", "Pat (on call)"))
ADMIN = ("alex", "Alex (admin)")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def ids_in(config: FirebellConfig, pattern: re.Pattern[str], *sections: str) -> list[str]:
    """Slack ids named in these sections of the config (all of it without sections),
    each once, in the order they appear."""
    dumped = config.model_dump(mode="json")
    if sections:
        dumped = {key: dumped.get(key) for key in sections}
    return list(dict.fromkeys(s for s in _strings(dumped) if pattern.match(s)))


class PlaygroundCast:
    """Creates the people and #support in the workspace; `config` is what Firebell runs."""

    def __init__(self, ws: Workspace, config: FirebellConfig | None, start: datetime) -> None:
        """`start`: the clock's first reading (Sam's first week on call begins then)."""
        self.ws = ws
        self.notes: list[str] = []
        self.dana = ws.add_user("dana", "Dana (support)")
        if config is None:
            self.on_call = [ws.add_user(name, real) for name, real in ON_CALL]
            self.admin = ws.add_user(*ADMIN)
            self.config = self._default_config(start)
        else:
            self.on_call, self.admin = self._people_of(config)
            self.config = self._with_webhook_tokens(config)
        people = [self.dana, *self.on_call, self.admin]
        extras = [u for u in ws.users.values() if u not in people and not u.is_bot]
        self.support: Channel = ws.add_channel("support", *people, *extras, ws.bot)

    @property
    def people(self) -> list[User]:
        return [u for u in self.ws.users.values() if not u.is_bot]

    def _people_of(self, config: FirebellConfig) -> tuple[list[User], User]:
        taken = set(self.ws.users)
        on_call_ids = [i for i in ids_in(config, USER_ID, "schedules") if i not in taken]
        admin_ids = [i for i in ids_in(config, USER_ID, "admins") if i not in taken]
        on_call = [
            self.ws.add_user(name, real, user_id=on_call_ids[n] if n < len(on_call_ids) else None)
            for n, (name, real) in enumerate(ON_CALL)
        ]
        admin_id = next((i for i in admin_ids if i not in self.ws.users), None)
        admin = self.ws.add_user(*ADMIN, user_id=admin_id)
        for user_id in ids_in(config, USER_ID):
            if user_id not in self.ws.users:
                self.ws.add_user(user_id.lower(), user_id, user_id=user_id)
        for group_id in ids_in(config, GROUP_ID):
            self.ws.usergroups.setdefault(group_id, {u.id for u in on_call})
        mapped = [f"{u.real_name} is {u.id}" for u in [*on_call, admin] if u.id in on_call_ids]
        if mapped:
            self.notes.append("people of your firebell.yml: " + ", ".join(mapped))
        return on_call, admin

    def _with_webhook_tokens(self, config: FirebellConfig) -> FirebellConfig:
        """The alert and deploy buttons post to Firebell's webhooks with their tokens; a
        config without them gets random ones (the file itself is not changed)."""
        tokens = config.webhooks.tokens
        missing = [s for s in ("alertmanager", "deploy") if s not in tokens]
        if not missing:
            return config
        self.notes.append(
            f"your firebell.yml has no webhook token for {' and '.join(missing)}; "
            "the playground uses a random one so its alert and deploy buttons work"
        )
        added = {source: SecretStr(secrets.token_urlsafe(16)) for source in missing}
        webhooks = config.webhooks.model_copy(update={"tokens": {**tokens, **added}})
        return config.model_copy(update={"webhooks": webhooks})

    def _default_config(self, start: datetime) -> FirebellConfig:
        sam, pat = self.on_call
        return FirebellConfig.model_validate(
            {
                "admins": [self.admin.id],
                "schedules": [
                    {
                        "name": "sre",
                        "rotations": [
                            {
                                "participants": [sam.id, pat.id],
                                "shift": "1w",
                                # UTC, the schedule's zone: Sam first, Pat next week.
                                "handoff": start.strftime("%Y-%m-%dT%H:%M"),
                            }
                        ],
                    }
                ],
                "escalation_policies": [
                    {
                        "name": "default",
                        "steps": [{"targets": [{"schedule": "sre"}], "wait": "10m"}],
                    }
                ],
                "webhooks": {
                    "tokens": {
                        "alertmanager": secrets.token_urlsafe(16),
                        "deploy": secrets.token_urlsafe(16),
                    }
                },
            }
        )
