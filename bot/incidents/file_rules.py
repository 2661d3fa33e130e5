"""What a file that comes with a report may be, for every source: Slack's file input, a
message filed with *File an issue*, the web form and the embedded reporter. The types
and the size are the intake's (`intake.allowed_types`, `intake.max_upload_mb`); each
source reads its own request and asks here, so the rule and its words are the same
everywhere.

A file's type is what the sender says, or, when it says nothing useful
(`application/octet-stream`, as browsers do for a `.har` or `.log`), what its name
says. An image uploaded to Firebell must also start as that image type does: its bytes
go to Slack as an image. (A file already in Slack was checked by Slack.)"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from mimetypes import guess_all_extensions

NAME_MAX = 255  # Attachment.name
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
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


def type_of(name: str, claimed: str | None) -> str:
    """The type a file is taken as: what the sender says, or what its name says."""
    said = media_type(claimed)
    if said not in UNSAID:
        return said
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return BY_SUFFIX.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def file_name(raw: object, limit: int = NAME_MAX) -> str:
    """A name to store and show: the last part of a path, no control characters, within
    `limit` with its extension."""
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = CONTROL.sub("", name).strip() or "file"
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
    """What a report's file may be: one of these types, at most this many bytes (each
    file, and all the files of one report together)."""

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

    def accept(self) -> list[str]:
        """For a web file input's `accept`: the types, and the names known by suffix only."""
        suffixes = [s for s, kind in BY_SUFFIX.items() if kind in self.allowed_types]
        return sorted(self.allowed_types) + suffixes

    def what_works(self) -> str:
        """The files that would be accepted, in words: ".png, .jpg … up to 10 MB each"."""
        kinds = self.extensions()
        listed = (
            ", ".join(f".{e}" for e in kinds) if kinds else ", ".join(sorted(self.allowed_types))
        )
        return f"{listed} files up to {size_words(self.max_bytes)} each"

    def refusal(self, content_type: str, size: int | None, head: bytes | None = None) -> str | None:
        """Why a file may not come with a report, in words; None when it may. `head`:
        the first bytes of a file uploaded to Firebell, to check an image is one."""
        kind = media_type(content_type)
        if kind not in self.allowed_types:
            shown = kind or "of a type the sender did not name"
            return f"it is {shown}, which is not taken"
        if size is None:
            return "its size was not given"
        if size > self.max_bytes:
            return f"it is {size_words(size)}, over the {size_words(self.max_bytes)} limit"
        signatures = MAGIC.get(kind)
        if head is not None and signatures and not head.startswith(signatures):
            return f"it is not a {kind.split('/')[1].upper()} image, as its type says"
        return None

    def too_big(self) -> str:
        return f"it is over the {size_words(self.max_bytes)} limit for each file"

    def too_much(self) -> str:
        return f"The files together are over {size_words(self.max_bytes)}, the limit for a report."
