"""A readable account of what happened in the workspace: who said what, where."""

from __future__ import annotations

import re
from typing import Any

from sandbox.workspace import Message, Workspace


def _block_lines(blocks: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"# {block['text']['text']}")
        elif kind == "section":
            if block.get("text"):
                lines.append(block["text"]["text"])
            for item in block.get("fields", []):
                lines.append(item["text"].replace("\n", ": ", 1))
        elif kind == "context":
            lines.append(" ".join(e.get("text", "") for e in block.get("elements", [])))
        elif kind == "actions":
            labels = [e.get("text", {}).get("text", "") for e in block.get("elements", [])]
            lines.append("[" + "] [".join(labels) + "]")
    return lines


def _where(ws: Workspace, message: Message) -> str:
    channel = ws.channels[message.channel]
    if channel.is_im:
        other = next(iter(channel.members - {ws.bot.id}), "?")
        return f"DM to {ws.users[other].real_name}"
    place = f"#{channel.name}" + (" (private)" if channel.is_private else "")
    if message.thread_ts:
        place += " (thread)"
    if message.ephemeral_to:
        place += f" (only {ws.users[message.ephemeral_to].real_name} sees this)"
    return place


def humanise(ws: Workspace, text: str) -> str:
    """Show <@U…>, <#C…> and <url|label> the way the Slack client renders them."""
    text = re.sub(
        r"<@(U\w+)>", lambda m: "@" + (ws.users[m[1]].name if m[1] in ws.users else m[1]), text
    )
    text = re.sub(
        r"<#(\w+)(?:\|[^>]*)?>",
        lambda m: "#" + (ws.channels[m[1]].name if m[1] in ws.channels else m[1]),
        text,
    )
    text = re.sub(r"<!date\^\d+\^[^|>]*\|([^>]*)>", r"\1", text)
    return re.sub(r"<(https?://[^|>]+)\|([^>]*)>", r"\2 (\1)", text)


def render(ws: Workspace, since: int = 0) -> str:
    """Messages from index `since` on, one block of lines per message."""
    out = []
    for message in ws.messages[since:]:
        author = ws.users[message.user].real_name
        pinned = " 📌" if message.ts in ws.channels[message.channel].pins else ""
        out.append(f"[{_where(ws, message)}] {author}{pinned}:")
        body = _block_lines(message.blocks) if message.blocks else message.text.splitlines()
        body += [f"📎 {ws.files[f]['title']} ({ws.files[f]['name']})" for f in message.files]
        for line in body:
            out.extend(f"    {part}" for part in humanise(ws, line).splitlines())
    return "\n".join(out)
