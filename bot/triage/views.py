"""What triage says in Slack: likely duplicates to the reporter, merges in channels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.blocks import button, clip, context, escape, safe_link, section
from bot.core.domain import label
from bot.core.ids import Action
from bot.core.membership import open_to_anyone
from bot.core.reporters import who
from bot.incidents.rules import is_open
from bot.triage.event_kinds import TriageEvent
from bot.triage.merge import Question
from storage.models import DuplicateSuggestion, Issue


@dataclass(frozen=True)
class ClosedNote:
    """What a reporter needs of a closed lookalike to judge a regression: how it was
    fixed, and where its page and its published review are."""

    fix: str | None = None
    page: str | None = None
    review: str | None = None

    def words(self) -> str:
        said = [f"fixed: {escape(clip(self.fix, 200))}"] if self.fix else []
        links = [
            f"<{url}|{name}>"
            for url, name in ((self.page, "its page"), (self.review, "its review"))
            if safe_link(url)
        ]
        return " · ".join(said + links)


def suggestion_message(
    issue: Issue,
    found: list[tuple[DuplicateSuggestion, Issue]],
    may_reopen: set[int],
    closed: dict[int, ClosedNote] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Likely duplicates, to the reporter. Only an open issue takes a merge; a closed one
    is shown as similar, with its fix and review (`closed`: by id) and how to reopen it
    for those who may (`may_reopen`: ids)."""
    first = found[0][1]
    text = f"Thanks for {issue.key}. It looks like {first.key}: is it the same problem?"
    blocks: list[dict[str, Any]] = [section(text)]
    for suggestion, other in found:
        why = f" · {escape(', '.join(suggestion.reasons))}" if suggestion.reasons else ""
        shown = open_to_anyone(other)
        where = f" in <#{other.channel_id}>" if other.channel_id and shown else ""
        title = escape(clip(other.title, 150)) if shown else "a private issue"
        value = f"{issue.id}:{other.id}"
        answers = [button("Not a duplicate", Action.NOT_DUPLICATE, value)]
        if is_open(other):
            state = label(other.status)
            merge = button(f"Merge into {other.key}", Action.MERGE_DUPLICATE, value, "primary")
            answers.insert(0, merge)
        else:
            state = f"similar, {closed_ago(other, issue)} (possible regression)"
            if other.id in may_reopen:
                state += f": reopen with `/incident reopen {other.key}`"
            note = (closed or {}).get(int(other.id or 0))
            if note is not None and (said := note.words()):
                state += f"\n{said}"
        blocks.append(section(f"*{other.key}* {title}{where}\n{state}{why}"))
        blocks.append({"type": "actions", "block_id": f"duplicate_{other.id}", "elements": answers})
    if any(is_open(other) for _, other in found):
        blocks.append(
            context("Merging closes your report and you get the updates of the other one.")
        )
    return text, blocks


def closed_ago(other: Issue, issue: Issue) -> str:
    """ "closed 3 weeks ago", counted from the new report's filing: closed issues of any
    age are candidates, and the age says whether it looks like a regression."""
    if other.closed_at is None:
        return "closed"
    days = max((issue.created_at - other.closed_at).days, 0)
    if days < 14:
        return f"closed {days} day{'' if days == 1 else 's'} ago" if days else "closed today"
    return f"closed {days // 7} weeks ago"


def merged_words(issue: Issue, kind: str, other_key: str, other_channel: str | None) -> str:
    if kind == TriageEvent.MERGED_INTO:
        where = f" Follow it in <#{other_channel}>." if other_channel else ""
        return f":link: {issue.key} is closed as a duplicate of *{other_key}*.{where}"
    return (
        f":link: *{other_key}* was merged into {issue.key}: its reporters follow this issue "
        "now, and its occurrences count here."
    )


def merged_dm(into: Issue, merged_key: str, member: bool) -> str:
    """To a reporter of the merged issue; `member`: whether they may see `into`."""
    if not member:  # neither its title nor its key: only that it is handled privately
        return (
            f"Your report {merged_key} was merged into another issue that is handled "
            f"privately. {merged_key} is closed as a duplicate; thank you for reporting it."
        )
    shown = open_to_anyone(into)
    where = f" in <#{into.channel_id}>" if into.channel_id and shown else ""
    return (
        f"Your report {merged_key} is the same problem as *{into.key}* "
        f"{escape(clip(into.title, 150)) if shown else '(a private issue)'}{where}. "
        "It is closed as a duplicate; you will get the updates of "
        f"{into.key} instead."
    )


def merge_question(question: Question) -> list[dict[str, Any]]:
    """To the person merging into a private issue that some reporters may not see."""
    q = question
    people = ", ".join(who(user) for user in q.outsiders[:10])
    more = f" and {len(q.outsiders) - 10} more" if len(q.outsiders) > 10 else ""
    value = f"{q.duplicate_id}:{q.into_id}"
    return [
        section(
            f"*{q.into_key}* is private, and {q.duplicate_key} was reported by {people}{more}, "
            f"who cannot see it. Merging moves reporters onto {q.into_key}: should they "
            "become its members?"
        ),
        {
            "type": "actions",
            "block_id": f"merge_{q.duplicate_id}_{q.into_id}",
            "elements": [
                button("Add them as members", Action.MERGE_ADD_REPORTERS, value, style="primary"),
                button("Keep them out", Action.MERGE_KEEP_REPORTERS_OUT, value),
            ],
        },
        context(
            "*Add them as members*: they are invited to its channel and see the issue and "
            "its updates. *Keep them out*: they are told only that their report was merged "
            "into another issue that is handled privately."
        ),
    ]
