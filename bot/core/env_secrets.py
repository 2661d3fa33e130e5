"""Secrets in firebell.yml written as `${ENV_VAR}`: read from the environment at load.

One home for the rule: a whole value `${NAME}` is the variable's value; a variable
that is not set is a config error naming it (so `firebell check-config` says which are
missing), never an empty secret. Text with `${` anywhere else is left as written.
"""

from __future__ import annotations

import os
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, SecretStr

WHOLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def from_environment(value: Any) -> Any:
    """`${NAME}` → os.environ["NAME"]; anything else as it is."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if not isinstance(value, str):
        return value
    match = WHOLE.fullmatch(value.strip())
    if match is None:
        return value
    found = os.environ.get(match[1])
    if not found:
        raise ValueError(f"the environment variable {match[1]} is not set (or is empty)")
    return found


# A secret that may be written `${ENV_VAR}` in firebell.yml.
EnvSecret = Annotated[
    SecretStr,
    Field(
        description="a secret, or ${ENV_VAR} to read it from the environment",
        examples=["${WEBHOOK_SECRET}"],
        min_length=1,
    ),
    BeforeValidator(from_environment),
]
