"""The status page as an Atom feed: one entry per published update, newest first."""

from __future__ import annotations

import re

from bot.statuspage.board import Board
from bot.statuspage.words import SHOWN

# What XML 1.0 cannot hold at all (lxml refuses it): other control characters and the
# two non-characters. Typed text keeps everything else.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return NOT_XML.sub("", text)


def atom_feed(board: Board, page_url: str, feed_url: str) -> bytes:
    # Imported here: feedgen brings lxml, 10 ms of every start for a page read rarely.
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(xml_text(board.title))
    feed.link(href=page_url, rel="alternate")
    feed.link(href=feed_url, rel="self")
    feed.updated(board.updated_at)
    feed.author({"name": xml_text(board.title)})  # Atom wants an author; never a person's name
    updates = [(incident, update) for incident in board.incidents for update in incident.updates]
    # feedgen puts the entry added last first: add the oldest first.
    for incident, update in sorted(updates, key=lambda pair: (pair[1].at, pair[1].id)):
        entry = feed.add_entry()
        entry.id(f"{page_url}#update-{update.id}")
        entry.title(xml_text(f"{incident.name}: {SHOWN[update.status]}"))
        entry.link(href=f"{page_url}#incident-{incident.id}")
        entry.published(update.at)
        entry.updated(update.at)
        entry.content(xml_text(update.body), type="text")
    return bytes(feed.atom_str(pretty=True))
