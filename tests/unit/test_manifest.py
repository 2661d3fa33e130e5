"""manifest.yml passes Slack's published schema and matches what the bot listens for."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.core.ids import SLASH_COMMAND, Callback

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT.parent / "shared/reference/slack-manifest-schema/manifest.schema.1.0.0.json"


def manifest() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


@pytest.mark.skipif(not SCHEMA.exists(), reason="Slack's manifest schema is not beside the repo")
def test_manifest_passes_slacks_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    errors = [
        f"{list(e.path)}: {e.message}"
        for e in jsonschema.Draft7Validator(schema).iter_errors(manifest())
    ]
    assert errors == []


def test_manifest_declares_what_the_bot_handles() -> None:
    features = manifest()["features"]
    assert [c["command"] for c in features["slash_commands"]] == [SLASH_COMMAND]
    shortcuts = {s["callback_id"]: s["type"] for s in features["shortcuts"]}
    assert shortcuts == {
        Callback.FILE_ISSUE_SHORTCUT.value: "message",
        Callback.DECLARE_SHORTCUT.value: "global",
    }
    settings = manifest()["settings"]
    assert settings["socket_mode_enabled"] is True and settings["interactivity"]["is_enabled"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "reaction_added",
        "app_home_opened",
        "member_joined_channel",
        "member_left_channel",
    }
    assert features["slash_commands"][0]["should_escape"] is True  # mentions arrive as <@U…>
    assert features["app_home"]["home_tab_enabled"] is True
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "files:write", "reactions:read", "pins:write"} <= scopes
    assert "files:read" in scopes  # Slack's file input needs it; so does fetching a file
