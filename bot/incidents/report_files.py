"""Files that come from Slack with a report: the modal's file input, and the files of a
message filed with *File an issue*.

Slack describes each file (id, name, mimetype, size); Firebell keeps only Slack's file id
and the delivery copies the bytes into the issue's channel later (attachment_delivery.py).
Whether a file may come is `FileLimits.refusal` (file_rules.py), the one rule for every
source's files. Slack's own `filetypes` on the input is a convenience for the picker
only (Slack says so), so every file is checked again."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.core.ids import Field
from bot.incidents.attachments import AttachmentIn
from bot.incidents.file_rules import FileLimits, file_name, media_type

MAX_FILES = 10  # Slack's most for one file input, and for one message
STORED_NAME_MAX = 80  # a name kept in a modal's private_metadata (3000 characters in all)
FILE_ID = re.compile(r"F[A-Z0-9]{2,30}")  # Attachment.slack_file_id holds 32
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+_-]{0,49}/[a-z0-9][a-z0-9.+_-]{0,49}")


def _sane_type(raw: object) -> str:
    """A media type as Slack names them; anything else (never allowed) as empty."""
    kind = media_type(raw)
    return kind if MEDIA_TYPE.fullmatch(kind) else ""


@dataclass(frozen=True)
class SlackFile:
    """A file as Slack describes it, only what Firebell reads."""

    id: str
    name: str
    mimetype: str
    size: int | None
    # Why it cannot be carried at all (a link to another service, hidden by the
    # workspace's plan, deleted); None for an ordinary file.
    unreadable: str | None = None

    @classmethod
    def read(cls, raw: object) -> SlackFile | None:
        """From Slack's file object (or our own stored copy); None when it is not one."""
        if not isinstance(raw, dict):
            return None
        file_id = raw.get("id")
        if not isinstance(file_id, str) or not FILE_ID.fullmatch(file_id):
            return None
        size = raw.get("size")
        size = size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None
        unreadable = None
        if raw.get("is_external"):
            unreadable = "it is a link to another service, not a file in Slack"
        elif raw.get("mode") in {"hidden_by_limit", "tombstone"}:
            unreadable = "Slack no longer shows it"
        elif raw.get("file_access") == "check_file_info" and not raw.get("name"):
            unreadable = "Slack did not share its details"
        return cls(
            id=file_id,
            name=file_name(raw.get("name") or raw.get("title")),
            mimetype=_sane_type(raw.get("mimetype")),
            size=size,
            unreadable=unreadable,
        )

    def stored(self, name_max: int = STORED_NAME_MAX) -> dict[str, Any]:
        """Compact, for a modal's private_metadata; `read` takes it back."""
        data: dict[str, Any] = {
            "id": self.id,
            "name": file_name(self.name, name_max),
            "mimetype": self.mimetype,
        }
        if self.size is not None:
            data["size"] = self.size
        if self.unreadable is not None:
            data["mode"] = "tombstone"
        return data

    def checked(self, limits: FileLimits) -> AttachmentIn:
        """The file for the draft: kept, or refused with the reason the reporter is told."""
        refused = self.unreadable or limits.refusal(self.mimetype, self.size)
        return AttachmentIn(
            name=self.name,
            content_type=self.mimetype,
            size=self.size or 0,
            origin="slack",
            slack_file_id=self.id,
            refused=refused,
        )


def slack_files(raw: object) -> tuple[SlackFile, ...]:
    """Slack's `files` list read; repeats and what is not a file left out."""
    found: dict[str, SlackFile] = {}
    for item in raw if isinstance(raw, list) else []:
        read = SlackFile.read(item)
        if read is not None and read.id not in found:
            found[read.id] = read
    return tuple(found.values())


def carried(files: tuple[SlackFile, ...], limits: FileLimits) -> tuple[AttachmentIn, ...]:
    """A message's files for its issue: each kept or refused (told, never dropped)."""
    return tuple(f.checked(limits) for f in files[:MAX_FILES])


def from_file_input(
    values: dict[str, Any], limits: FileLimits
) -> tuple[tuple[AttachmentIn, ...], dict[str, str]]:
    """The modal's uploaded files, or the inline error naming each that does not fit
    and what would (a file the reporter chose, so refusing it is their call to fix)."""
    block = values.get(Field.FILES.value)
    state = block.get(Field.FILES.value) if isinstance(block, dict) else None
    raw = state.get("files") if isinstance(state, dict) else None
    listed = raw if isinstance(raw, list) else []
    files = slack_files(listed)
    if len(files) != len(listed):
        return (), {Field.FILES: "A file did not come through from Slack; attach it again."}
    if len(files) > MAX_FILES:
        return (), {Field.FILES: f"Attach at most {MAX_FILES} files."}
    kept = tuple(f.checked(limits) for f in files)
    refused = [f"{a.name}: {a.refused}" for a in kept if a.refused]
    if refused:
        problem = "; ".join(refused)
        return (), {Field.FILES: f"{problem}. Attach {limits.what_works()}."}
    return kept, {}
