"""The constrained values of firebell.yml, each with what it must be and an example.

One home for a value's rule and its words: the error a bad value gets
(core/config_errors.py) and the configuration reference (bot/config_docs.py) both
read the `description` and `examples` declared here.
"""

from __future__ import annotations

import os
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr

# The shortest bearer token accepted (API, webhooks): 16 characters.
TOKEN_MIN_LENGTH = 16
MAKE_A_TOKEN = "openssl rand -hex 16"

ChannelId = Annotated[
    str,
    Field(
        pattern=r"^[CG][A-Z0-9]{2,20}$",
        description="a Slack channel ID (C… or G…, from the channel's details)",
        examples=["C0INCIDNT"],
    ),
]
UserId = Annotated[
    str,
    Field(
        pattern=r"^[UW][A-Z0-9]{2,20}$",
        description="a Slack user ID (U… or W…, from a profile's ⋯ menu: Copy member ID)",
        examples=["U0AAAA1"],
    ),
]
UserGroupId = Annotated[
    str,
    Field(
        pattern=r"^S[A-Z0-9]{2,20}$",
        description="a Slack user-group ID (S…)",
        examples=["S0SRE01"],
    ),
]
UserOrGroupId = Annotated[
    str,
    Field(
        pattern=r"^[US][A-Z0-9]{2,20}$",
        description="a Slack user ID (U…) or user-group ID (S…)",
        examples=["U0ADMIN1"],
    ),
]


def _not_a_placeholder(value: SecretStr) -> SecretStr:
    # The example file's `change-me-…` values are long enough; a copy must not run with them.
    if value.get_secret_value().lower().startswith("change-me"):
        raise ValueError(
            f"replace the placeholder: use at least {TOKEN_MIN_LENGTH} random characters, "
            f"e.g. `{MAKE_A_TOKEN}`"
        )
    return value


# A bearer token (API, webhooks, /metrics).
Token = Annotated[
    SecretStr,
    Field(
        min_length=TOKEN_MIN_LENGTH,
        description=f"a secret of at least {TOKEN_MIN_LENGTH} characters",
        examples=[f"`{MAKE_A_TOKEN}`"],
    ),
    AfterValidator(_not_a_placeholder),
]
Name = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,39}$",
        description="a name of lowercase letters, digits and dashes (up to 40)",
        examples=["primary"],
    ),
]
LocalMoment = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$",
        description="a local date and time written YYYY-MM-DDTHH:MM",
        examples=["2026-01-05T09:00"],
    ),
]


# `${NAME}`: the value is read from the environment variable NAME at start-up, so a
# firebell.yml kept in git holds no secret. The one place that reads them.
ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _from_environment(value: Any) -> Any:
    if isinstance(value, str) and (found := ENV_REFERENCE.fullmatch(value.strip())):
        name = found[1]
        read = os.environ.get(name, "")
        if not read:
            # `check-config` lists this line with every other problem of the file.
            raise ValueError(f"{name} is not set in the environment (the file says ${{{name}}})")
        return read
    return value


# A secret written in firebell.yml, or `${ENV_VAR}` to take it from the environment.
EnvSecret = Annotated[
    SecretStr,
    BeforeValidator(_from_environment),
    Field(
        min_length=1,
        description="a secret, or ${ENV_VAR} to read it from that environment variable",
        examples=["${ZENDESK_API_TOKEN}"],
    ),
]
