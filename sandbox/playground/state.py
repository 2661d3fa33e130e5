"""What the playground's page shows one person: their channels, one channel's messages
(with threads, pins, reactions and the answers only they see), their open modal and
their App Home. Private channels and DMs show only to their members, as in Slack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.workspace import Channel, Message, Workspace

if TYPE_CHECKING:
    from sandbox.playground.actions import Actions


def visible(ws: Workspace, channel: Channel, user: str) -> bool:
    if channel.is_im or channel.is_private:
        return user in channel.members
    return True


def _channel(ws: Workspace, channel: Channel, user: str) -> dict[str, Any]:
    name = channel.name
    if channel.is_im:
        other = next(iter(channel.members - {user}), ws.bot.id)
        name = ws.users[other].real_name if other in ws.users else other
    return {
        "id": channel.id,
        "name": name,
        "private": channel.is_private,
        "im": channel.is_im,
        "member": user in channel.members,
        "pins": list(channel.pins),
    }


def _message(ws: Workspace, message: Message, user: str, pins: list[str]) -> dict[str, Any]:
    author = ws.users.get(message.user)
    return {
        "ts": message.ts,
        "user": message.user,
        "author": author.real_name if author else message.user,
        "bot": bool(author and author.is_bot),
        "text": message.text,
        "blocks": message.blocks,
        "thread_ts": message.thread_ts,
        "edited": message.edited,
        "pinned": message.ts in pins,
        "metadata": message.metadata,
        "ephemeral": message.ephemeral_to is not None,
        "reactions": [
            {"name": name, "count": len(users), "mine": user in users}
            for name, users in message.reactions.items()
            if users
        ],
        "files": [
            {"title": ws.files[f].get("title", ""), "name": ws.files[f].get("name", "")}
            for f in message.files
            if f in ws.files
        ],
        "replies": [],
    }


def _messages(ws: Workspace, channel: Channel, user: str) -> list[dict[str, Any]]:
    shown = [
        m for m in ws.messages_in(channel.id) if m.ephemeral_to is None or m.ephemeral_to == user
    ]
    shown.sort(key=lambda m: float(m.ts))
    top: dict[str, dict[str, Any]] = {}
    for message in shown:
        item = _message(ws, message, user, channel.pins)
        parent = top.get(message.thread_ts or "") if message.thread_ts != message.ts else None
        if parent is not None:
            parent["replies"].append(item)
        else:
            top[message.ts] = item
    return list(top.values())


def state_of(ws: Workspace, user: str, channel_id: str, actions: Actions) -> dict[str, Any]:
    channels = [c for c in ws.channels.values() if visible(ws, c, user)]
    # The bot's DM with this person is always there, as Slack's "Apps" section is.
    dm = ws.dm_channel(user)
    if dm not in channels:
        channels.append(dm)
    current = ws.channels.get(channel_id)
    if current is None or not visible(ws, current, user):
        current = next((c for c in channels if user in c.members and not c.is_im), dm)
    messages = _messages(ws, current, user)
    for answer in actions.ephemerals_for(user, current.id):
        messages.append(answer)
    messages.sort(key=lambda m: float(m["ts"]))
    modals = [
        v
        for v in ws.views.values()
        if v.user == user and not v.closed and v.view.get("type") == "modal"
    ]
    home = ws.views.get(f"home-{user}")
    return {
        "version": ws.version,
        "me": user,
        "bot": ws.bot.id,
        "users": [
            {"id": u.id, "name": u.name, "real_name": u.real_name, "bot": u.is_bot}
            for u in ws.users.values()
        ],
        "channels": [_channel(ws, c, user) for c in channels],
        "channel": _channel(ws, current, user),
        "messages": messages,
        "modal": (
            {
                "id": modals[-1].id,
                "view": modals[-1].view,
                "errors": actions.errors.get(modals[-1].id, {}),
                "stacked": len(modals),
            }
            if modals
            else None
        ),
        "home": home.view if home is not None else None,
    }
