"""Triage's side effects: the reporter told of likely duplicates, and the notices of a
merge. Rendered at delivery, from what is stored then."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from bot.core.delivery import Payload


class TriageKind(StrEnum):
    FIND = "find_duplicates"
    SUGGEST = "suggest_duplicates"
    MERGED_NOTICE = "merged_notice"
    MERGED_DM = "merged_dm"


@dataclass(frozen=True)
class FindDuplicates(Payload):
    """Look for likely duplicates of a new report, after its filing has committed: the
    filing does not wait for the finder, and a finder that fails costs no report."""

    kind: ClassVar = TriageKind.FIND


@dataclass(frozen=True)
class SuggestDuplicates(Payload):
    """To the reporter, right after filing: "This looks like INC-12 …"."""

    kind: ClassVar = TriageKind.SUGGEST


@dataclass(frozen=True)
class MergedNotice(Payload):
    """In one issue channel: the merge, told from that issue's side."""

    kind: ClassVar = TriageKind.MERGED_NOTICE
    event_id: int


@dataclass(frozen=True)
class MergedDm(Payload):
    """To a reporter of the merged issue: which issue they follow now."""

    kind: ClassVar = TriageKind.MERGED_DM
    user_id: str
    into_id: int
