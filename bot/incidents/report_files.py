"""Files that come from Slack with a report: the modal's file input, and the files of a
message filed with *File an issue*.

Slack describes each file (id, name, mimetype, size); Firebell keeps only Slack's file id
and the delivery copies the bytes into the issue's channel later (attachment_delivery.py).
Whether a file may come is `FileLimits.refusal`, the one rule for every source's files:
the intake's types and size (`intake.allowed_types`, `intake.max_upload_mb`). Slack's own
`filetypes` on the input is a convenience for the picker only (Slack says so), so every
file is checked again here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from mimetypes import guess_all_extensions
from typing import Any

from bot.core.ids import Field
from bot.incidents.attachments import AttachmentIn

MAX_FILES = 10  # Slack's most for one file input, and for one message
NAME_MAX = 255  # Attachment.name
STORED_NAME_MAX = 80  # a name kept in a modal's private_metadata (3000 characters in all)
FILE_ID = re.compile(r"F[A-Z0-9]{2,30}")  # Attachment.slack_file_id holds 32
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+_-]{0,49}/[a-z0-9][a-z0-9.+_-]{0,49}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The extensions Slack's file picker offers for each type; the rest from Python's table.
# Fixed here so the modal is the same on every machine (mimetypes reads /etc/mime.types).
EXTENSIONS = {
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "text/plain": ("txt", "log", "text"),
    "text/csv": ("csv",),
    "application/json": ("json",),
    "application/har+json": ("har",),
    "application/pdf": ("pdf",),
}


def media_type(raw: object) -> str:
    """`Image/PNG; charset=x` -> `image/png`."""
    return str(raw or "").split(";", 1)[0].strip().lower()


def _sane_type(raw: object) -> str:
    """A media type as Slack names them; anything else (never allowed) as empty."""
    kind = media_type(raw)
    return kind if MEDIA_TYPE.fullmatch(kind) else ""


def file_name(raw: object, limit: int = NAME_MAX) -> str:
    """A name to store and show: no control characters, within `limit` with its extension."""
    name = CONTROL.sub("", str(raw or "")).strip() or "file"
    if len(name) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and 0 < len(ext) <= 10 and stem:
        return stem[: limit - len(ext) - 2] + "…." + ext
    return name[: limit - 1] + "…"


def size_words(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(size, 1) / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"


@dataclass(frozen=True)
class FileLimits:
    """What a report's file may be: one of these types, at most this many bytes."""

    allowed_types: frozenset[str]
    max_bytes: int

    @classmethod
    def of(cls, allowed_types: list[str], max_bytes: int) -> FileLimits:
        return cls(frozenset(media_type(t) for t in allowed_types), max_bytes)

    def extensions(self) -> tuple[str, ...] | None:
        """The extensions of the allowed types, for Slack's picker; None (any file) when
        one type has no known extension, so Slack's picker never hides an allowed file."""
        found: list[str] = []
        for kind in sorted(self.allowed_types):
            known = EXTENSIONS.get(kind) or tuple(
                e.lstrip(".") for e in sorted(guess_all_extensions(kind))
            )
            if not known:
                return None
            found += [e for e in known if e not in found]
        return tuple(found)

    def what_works(self) -> str:
        """The files that would be accepted, in words: ".png, .jpg … up to 10 MB each"."""
        kinds = self.extensions()
        listed = (
            ", ".join(f".{e}" for e in kinds) if kinds else ", ".join(sorted(self.allowed_types))
        )
        return f"{listed} files up to {size_words(self.max_bytes)} each"

    def refusal(self, content_type: str, size: int | None) -> str | None:
        """Why a file may not come with a report, in words; None when it may."""
        kind = media_type(content_type)
        if kind not in self.allowed_types:
            shown = kind or "of a type Slack did not name"
            return f"it is {shown}, which is not taken"
        if size is None:
            return "Slack did not say how big it is"
        if size > self.max_bytes:
            return f"it is {size_words(size)}, over the {size_words(self.max_bytes)} limit"
        return None


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
