"""`${NAME}` in firebell.yml: a secret read from the environment, never written in the file.

Minimal on purpose (the Jira integration needed it first): every string value of the
file is searched for `${NAME}` and each is replaced by the variable's value. A variable
that is not set is a configuration problem naming the key and the variable, so
`check-config` says which are missing and start-up stops before any secret is blank.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from bot.core.errors import ConfigError

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand(raw: Any, environ: Mapping[str, str] | None = None, where: str = "") -> Any:
    """`raw` with every `${NAME}` replaced; ConfigError lists every unset variable."""
    env = os.environ if environ is None else environ
    missing: list[str] = []

    def walk(value: Any, key: str) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, f"{key}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, str) and "${" in value:

            def one(match: re.Match[str]) -> str:
                name = match.group(1)
                if name not in env:
                    missing.append(f"{where}{key}: ${{{name}}} is not set in the environment")
                    return ""
                return env[name]

            return VARIABLE.sub(one, value)
        return value

    expanded = walk(raw, "")
    if missing:
        raise ConfigError("\n".join(missing))
    return expanded
