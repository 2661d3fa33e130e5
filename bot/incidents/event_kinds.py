"""The incidents slice's timeline kinds and their words (see core/timeline.py)."""

from __future__ import annotations

from bot.core.timeline import SEARCHED, EventKind


class IncidentEvent(EventKind):
    FILED = "filed", "filed the issue", SEARCHED  # stands for the issue's own fields
    ACKNOWLEDGED = "acknowledged", "acknowledged{by_name}"
    STATUS_CHANGED = "status_changed", "moved {before} → {after}"
    REOPENED = "reopened", "reopened ({before} → {after})"
    SEVERITY_CHANGED = "severity_changed", "changed severity {before} → {after}"
    PRIORITY_CHANGED = "priority_changed", "changed priority {before} → {after}"
    ROLE_SET = "role_set", "made <@{user_id}> {role}"
    STATUS_UPDATE = "status_update", "posted an update: {text}", SEARCHED
    DEPLOYED = "deployed", "marked the fix deployed"
    STEP_DONE = "step_done", "did “{text}”"
    STEP_SKIPPED = "step_skipped", "skipped “{text}”: {reason}"
    PINNED_MESSAGE = "pinned_message", "pinned a message{from_author}: {text}", SEARCHED
    PHASE_STARTED = "phase_started", "started the {phase} phase"
    PHASE_LEFT_INCOMPLETE = (
        "phase_left_incomplete",
        "left {phase} with required steps unfinished: {steps}",
    )
    CHANNEL_CREATED = "channel_created", "channel <#{channel_id}> created"
    CARD_POSTED = "card_posted", "summary card posted"
    CARD_PINNED = "card_pinned", "summary card pinned"
    REPORTER_NOTIFIED = "reporter_notified", "reporter told by DM"
    PARTICIPANT_INVITED = "participant_invited", "<@{user_id}> invited"
    SOURCE_REPLIED = "source_replied", "answered in the source thread"
    SOURCE_REPLY_SKIPPED = (
        "source_reply_skipped",
        "could not answer in the source thread ({reason})",
    )
    NEXT_STATUS_PROPOSED = "next_status_proposed", "proposed moving to {target}"
    REPORTER_UPDATES = "reporter_updates", "reporter updates turned {state}"
    ATTACHED = "attached", "attached {name}"
    NOT_ATTACHED = "not_attached", "did not attach {name}: {reason}"
    RECENT_DEPLOYS = "recent_deploys", "deploys to {service} shortly before: {versions}"
