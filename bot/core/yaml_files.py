"""Reading a YAML config file, with errors that name the file and the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.core.errors import ConfigError

# libyaml's parser where PyYAML was built with it (the wheels are): the playbooks are
# read at every start, and the pure-Python parser took ~70 ms for them.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_mapping(path: Path, what: str) -> dict[str, Any]:
    """The file's top-level mapping; ConfigError says what is wrong and where."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected {what}")
    return raw
