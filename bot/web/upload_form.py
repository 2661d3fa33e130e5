"""A posted form with files, read as it streams in (aiohttp's multipart reader): each
file is counted chunk by chunk against the size limit and dropped as soon as it is over,
never held whole in memory past the limit; the text fields are kept, so the form can come
back with everything the person typed. The file checks themselves are incidents/file_rules.py's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import BodyPartReader, web
from aiohttp.hdrs import CONTENT_TYPE
from aiohttp.http_exceptions import HttpProcessingError

from bot.incidents.attachments import AttachmentIn
from bot.incidents.file_rules import HEAD_BYTES, FileLimits, file_name, type_of

FIELD_MAX = 16 * 1024  # bytes of one text field (the longest input takes 3,000 characters)
FIELDS_MAX = 50  # text fields in one form
FILES_MAX = 10  # files in one report
# Past this many bytes in all, reading stops: a report this far over the limit is
# refused with what was read (the text fields come before the files in the form).
SLACK_BYTES = 1024 * 1024


@dataclass
class PostedForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[AttachmentIn] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # what is wrong with the files
    too_big: bool = False  # a file, or all of them, over the limit (a 413)


class Garbled(Exception):
    """A body that is not a form as a browser sends one."""


async def read_form(request: web.Request, rules: FileLimits) -> PostedForm:
    """The fields and files of a posted form; a form without files (urlencoded) too."""
    try:
        return await _read(request, rules)
    except (ValueError, HttpProcessingError) as exc:  # no boundary, a broken part
        raise Garbled(str(exc)) from None


async def _read(request: web.Request, rules: FileLimits) -> PostedForm:
    form = PostedForm()
    if request.content_type != "multipart/form-data":
        for name, value in (await request.post()).items():
            if isinstance(value, str) and len(form.fields) < FIELDS_MAX:
                form.fields[name] = value[:FIELD_MAX]
        return form
    reader = await request.multipart()
    read = 0  # bytes in all, files and fields
    stop_at = 2 * rules.max_bytes + SLACK_BYTES
    files_bytes = 0
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):  # a nested multipart: not from a form
            raise Garbled("a multipart inside the form")
        if part.filename is None:
            value, size = await _text(part)
            read += size
            if part.name and len(form.fields) < FIELDS_MAX:
                form.fields.setdefault(part.name, value)
        else:
            kept, size = await _file(part, form, rules, stop_at - read)
            read += size
            if kept is not None:
                files_bytes += kept.size
                if files_bytes > rules.max_bytes:
                    form.too_big = True
                    if rules.too_much() not in form.refusals:
                        form.refusals.append(rules.too_much())
                else:
                    form.files.append(kept)
        if read > stop_at:
            form.too_big = True
            if not form.refusals:
                form.refusals.append(rules.too_much())
            return form
    if len(form.files) > FILES_MAX:
        form.refusals.append(f"Attach at most {FILES_MAX} files to one report.")
    return form


async def _text(part: BodyPartReader) -> tuple[str, int]:
    """A text field: its first FIELD_MAX bytes (the rest read and dropped)."""
    kept = bytearray()
    size = 0
    while chunk := await part.read_chunk():
        size += len(chunk)
        if len(kept) < FIELD_MAX:
            kept += chunk[: FIELD_MAX - len(kept)]
    return kept.decode("utf-8", "replace"), size


async def _file(
    part: BodyPartReader, form: PostedForm, rules: FileLimits, budget: int
) -> tuple[AttachmentIn | None, int]:
    """One file, counted as it arrives; None when it is empty (the input left blank),
    over the limit or of a type not allowed (the refusal noted on the form)."""
    name = file_name(part.filename)
    kind = type_of(name, part.headers.get(CONTENT_TYPE))
    data = bytearray()
    size = 0
    over = False
    while chunk := await part.read_chunk():
        size += len(chunk)
        if size > rules.max_bytes:
            over = True
            data.clear()  # dropped at once; the rest is only counted
        elif not over:
            data += chunk
        if size > budget:
            break
    if over:
        form.too_big = True
        form.refusals.append(f"{name}: {rules.too_big()}.")
        return None, size
    if size == 0 and not part.filename:
        return None, size
    refusal = rules.refusal(kind, size, bytes(data[:HEAD_BYTES]))
    if refusal:
        form.refusals.append(f"{name}: {refusal}.")
        return None, size
    return AttachmentIn(name, kind, size, "web", data=bytes(data)), size
