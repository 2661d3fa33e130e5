"""A review as a Markdown document (the file in Slack and `firebell review export`)."""

from __future__ import annotations

import re

from bot.reviews.content import SECTION_TITLES, ReviewContent

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def people_in(text: str) -> set[str]:
    """The user ids a text mentions as <@U…>."""
    return set(MENTION.findall(text))


def with_names(text: str, names: dict[str, str]) -> str:
    """A file is read outside Slack: <@U0000002> becomes @Sam (or @U0000002, unknown)."""
    return MENTION.sub(lambda m: f"@{names.get(m[1], m[1])}", text)


def to_markdown(key: str, title: str, content: ReviewContent, *, source: str, status: str) -> str:
    lines = [f"# Post-incident review: {key} {title}", ""]
    label = "drafted by a model" if source == "model" else "template draft, not AI-written"
    lines += [f"_{status.capitalize()}; {label}._", ""]
    for key_name, heading in SECTION_TITLES.items():
        value = getattr(content, key_name)
        lines += [f"## {heading}", ""]
        if key_name == "timeline":
            lines += [f"- **{e.time}** {e.event}" for e in value] or ["_None recorded._"]
        elif key_name == "action_items":
            lines += [
                f"- [ ] {item.title} (owner: {item.owner or 'unassigned'}, due: "
                f"{item.due_date or 'no date'}, priority: {item.priority})"
                for item in value
            ] or ["_None yet._"]
        elif isinstance(value, list):
            lines += [f"- {v}" for v in value] or ["_None recorded._"]
        else:
            lines.append(value or "_Not recorded._")
        lines.append("")
    return "\n".join(lines)
