"""Which files a report from outside Slack may carry (`intake` in firebell.yml): the
types allowed, each file and all of them together within the size limit. The checks
only; each surface reads its own request (bot/web/upload_form.py streams a form's).

A file's type is what the browser says, or, when it says nothing useful
(`application/octet-stream`, as browsers do for a `.har` or `.log`), what its name says.
An image must also start as that image type does: its bytes go to Slack as an image."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from bot.reports.config import IntakeConfig

UNSAID = {"", "application/octet-stream"}
# Names the standard table lacks or reads otherwise on some systems.
BY_SUFFIX = {".har": "application/har+json", ".log": "text/plain", ".json": "application/json"}
# The first bytes of each image type.
MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
HEAD_BYTES = 16  # enough for every signature above
NAME_MAX = 200


@dataclass(frozen=True)
class UploadRules:
    allowed_types: frozenset[str]
    max_bytes: int  # each file, and all files of one report together

    @classmethod
    def of(cls, intake: IntakeConfig) -> UploadRules:
        return cls(frozenset(t.lower() for t in intake.allowed_types), intake.max_upload_bytes)

    def accept(self) -> list[str]:
        """For a file input's `accept`: the types, and the names known by suffix only."""
        suffixes = [s for s, kind in BY_SUFFIX.items() if kind in self.allowed_types]
        return sorted(self.allowed_types) + suffixes

    def size_words(self) -> str:
        return f"{self.max_bytes / (1024 * 1024):g} MB"


def file_name(raw: str | None) -> str:
    """A name to show and to upload under: the last path part, no control characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:NAME_MAX] or "attachment"


def content_type(name: str, claimed: str | None) -> str:
    """The type a file is taken as (lower case, without parameters such as charset)."""
    said = (claimed or "").split(";", 1)[0].strip().lower()
    if said not in UNSAID:
        return said
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return BY_SUFFIX.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def type_refusal(name: str, kind: str, head: bytes, rules: UploadRules) -> str | None:
    """Why this file may not come with a report (its type, or image bytes that are not
    that image), or None."""
    if kind not in rules.allowed_types:
        allowed = ", ".join(sorted(rules.allowed_types))
        return f"{name}: files of type {kind} cannot be attached (allowed: {allowed})."
    signatures = MAGIC.get(kind)
    if signatures and not head.startswith(signatures):
        return f"{name} is not a {kind.split('/')[1].upper()} image, as its type says."
    return None


def too_big(name: str, rules: UploadRules) -> str:
    return f"{name} is larger than {rules.size_words()}, the limit for each file."


def too_much(rules: UploadRules) -> str:
    return f"The files together are larger than {rules.size_words()}, the limit for a report."
