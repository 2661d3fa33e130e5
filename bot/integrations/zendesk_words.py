"""What Firebell writes on a Zendesk ticket, and what the issue's channel hears when
Zendesk refuses it.

A ticket comment is read by a customer (public replies are emailed to them): plain
sentences, no Slack markup, nobody's name or Slack id, nothing a responder typed (a
resolution summary may hold internal details), no issue title (after a merge it is
another report's). The status sentence is the reporters' own (incidents/status_words.py).
A private issue's comments say only that the team is on it, then that it is done.
Each comment is numbered ("Update 2"), which also makes its body unique on the ticket,
so a retry can recognise a comment that already went in.
"""

from __future__ import annotations

from bot.core.blocks import clip, escape
from bot.core.domain import Status
from bot.incidents.status_words import for_reporter
from bot.integrations.kinds import ZendeskComment
from storage.models import Issue

OPENED = (
    "Thank you for your report. We have passed it to our engineering team and will "
    "post updates on this ticket as the work goes on."
)
JOINED = (
    "Thank you for your report. Our engineering team already knows about this problem; "
    "we will post updates on this ticket as the work goes on."
)
MERGED = (
    "Our engineering team found that your report is the same problem as another one "
    "and is following both together; updates continue here."
)
PRIVATE_OPEN = "our team is working on it."
PRIVATE_DONE = "our team has finished working on it."


def comment_body(issue: Issue, comment: ZendeskComment) -> str:
    lines = [f"Update {comment.number} on the problem you reported:"]
    if comment.about == "opened":
        lines.append(OPENED)
    elif comment.about == "joined":
        lines.append(JOINED)
        if not issue.private and comment.after != Status.NEW:
            lines.append(_sentence(for_reporter(comment.after, comment.after)))
    elif comment.about == "merged":
        lines.append(MERGED)
    elif issue.private:
        done = comment.after == Status.CLOSED
        lines.append(_sentence(PRIVATE_DONE if done else PRIVATE_OPEN))
    else:
        lines.append(_sentence(for_reporter(comment.before, comment.after)))
    if not issue.private:
        lines.append(f"Reference: {issue.key}")
    return "\n\n".join(lines)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def refusal_line(ticket_id: int, reason: str) -> str:
    """The channel's line (mrkdwn) when Zendesk refuses a comment for good."""
    return clip(
        f":warning: Zendesk refused the comment on ticket #{ticket_id}: {escape(reason)}", 3000
    )
