"""Atlassian Document Format, checked as Jira checks a description: a `doc` of version 1
whose block and inline nodes are ones ADF defines, with the content each may hold.

From Atlassian's published ADF structure (developer.atlassian.com, "Atlassian Document
Format"): text nodes must have non-empty text; a codeBlock holds only unmarked text;
a link mark needs an href."""

from __future__ import annotations

from typing import Any

INLINE = {"text", "hardBreak", "mention", "emoji", "inlineCard", "date", "status"}
MARKS = {"link", "strong", "em", "code", "underline", "strike", "subsup", "textColor"}
LISTS = {"bulletList", "orderedList"}
BLOCKS = {"paragraph", "heading", "codeBlock", "blockquote", "rule", "panel", *LISTS}


def problems(doc: Any) -> list[str]:
    """Why `doc` is not a valid ADF document (empty: it is)."""
    if not isinstance(doc, dict) or doc.get("type") != "doc":
        return ['the top node must be {"type": "doc"}']
    if doc.get("version") != 1:
        return ["a doc must have version 1"]
    found: list[str] = []
    _blocks(doc.get("content"), "doc", found, allowed=BLOCKS)
    return found


def _blocks(content: Any, where: str, found: list[str], allowed: set[str]) -> None:
    if not isinstance(content, list):
        found.append(f"{where}: content must be a list")
        return
    for i, node in enumerate(content):
        here = f"{where}.content[{i}]"
        kind = node.get("type") if isinstance(node, dict) else None
        if kind not in allowed:
            found.append(f"{here}: {kind!r} is not allowed here")
            continue
        if kind in ("paragraph", "heading"):
            if kind == "heading" and (node.get("attrs") or {}).get("level") not in range(1, 7):
                found.append(f"{here}: a heading needs attrs.level 1-6")
            _inline(node.get("content", []), here, found)
        elif kind == "codeBlock":
            for j, child in enumerate(node.get("content", [])):
                if not isinstance(child, dict) or child.get("type") != "text" or child.get("marks"):
                    found.append(f"{here}.content[{j}]: a codeBlock holds unmarked text only")
                else:
                    _text(child, f"{here}.content[{j}]", found)
        elif kind in LISTS:
            _blocks(node.get("content"), here, found, allowed={"listItem"})
        elif kind == "listItem":
            _blocks(node.get("content"), here, found, allowed=BLOCKS)
        elif kind in ("blockquote", "panel"):
            _blocks(node.get("content"), here, found, allowed=BLOCKS - {"panel"})


def _inline(content: Any, where: str, found: list[str]) -> None:
    if not isinstance(content, list):
        found.append(f"{where}: content must be a list")
        return
    for i, node in enumerate(content):
        here = f"{where}.content[{i}]"
        kind = node.get("type") if isinstance(node, dict) else None
        if kind not in INLINE:
            found.append(f"{here}: {kind!r} is not an inline node")
        elif kind == "text":
            _text(node, here, found)


def _text(node: dict[str, Any], where: str, found: list[str]) -> None:
    if not isinstance(node.get("text"), str) or not node["text"]:
        found.append(f"{where}: a text node needs non-empty text")
    for mark in node.get("marks", []):
        kind = mark.get("type") if isinstance(mark, dict) else None
        if kind not in MARKS:
            found.append(f"{where}: unknown mark {kind!r}")
        elif kind == "link" and not isinstance((mark.get("attrs") or {}).get("href"), str):
            found.append(f"{where}: a link mark needs attrs.href")
