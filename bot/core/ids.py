"""Every Slack id Firebell uses (callback, block and action ids) in one place."""

from __future__ import annotations

from enum import StrEnum

from storage.issue_key import IssueKey  # the key type lives with the table that formats it


class Callback(StrEnum):
    REPORT_MODAL = "report_issue"
    FILE_ISSUE_SHORTCUT = "file_issue"
    DECLARE_SHORTCUT = "declare_incident"
    UPDATE_MODAL = "post_update"
    SEVERITY_MODAL = "change_severity"
    SKIP_MODAL = "skip_step"
    ANSWER_MODAL = "answer_step"
    REVIEW_EDIT_MODAL = "edit_review"


class Action(StrEnum):
    """Button action ids. Values carry `<issue id>` or `<issue id>:<detail>`."""

    ACK = "issue_ack"
    ASSIGN_ME = "issue_assign_me"
    POST_UPDATE = "issue_post_update"
    CHANGE_SEVERITY = "issue_change_severity"
    MARK_FIXED = "issue_mark_fixed"
    STEP_DONE = "step_done"
    STEP_SKIP = "step_skip"
    MOVE_STATUS = "issue_move_status"
    REPORTER_UPDATES_OFF = "reporter_updates_off"
    OPEN_CHANNEL = "issue_open_channel"
    PAGE_ACK = "page_ack"
    DIGEST_CLOSE = "digest_close"
    DIGEST_KEEP = "digest_keep"
    REVIEW_DRAFT = "review_draft"
    REVIEW_EDIT = "review_edit"
    REVIEW_PUBLISH = "review_publish"
    FOLLOWUP_DONE = "followup_done"
    MERGE_DUPLICATE = "merge_duplicate"  # value: <new issue id>:<the issue it duplicates>
    NOT_DUPLICATE = "not_duplicate"
    # Merging into a private issue whose members do not include the duplicate's
    # reporters: the person merging says which (value: <duplicate id>:<private issue id>).
    MERGE_ADD_REPORTERS = "merge_add_reporters"
    MERGE_KEEP_REPORTERS_OUT = "merge_keep_reporters_out"


class ModalField(StrEnum):
    """Block ids (= action ids) of the small lifecycle modals."""

    UPDATE_TEXT = "update_text"
    UPDATE_IMPACT = "update_impact"
    NEXT_UPDATE = "next_update"
    UPDATE_PUBLISH = "update_publish"  # the update form's "Publish to the status page"
    SEVERITY = "new_severity"
    REASON = "reason"
    ANSWER = "answer"
    ROOT_CAUSE = "root_cause"
    FACTORS = "factors"
    ACTION_TITLE = "action_title"  # + row number
    ACTION_OWNER = "action_owner"
    ACTION_DUE = "action_due"


class Field(StrEnum):
    """Block ids of the report modal's inputs; the action id is the same string."""

    TITLE = "title"
    TYPE = "type"
    SEVERITY = "severity"
    PRIORITY = "priority"
    SERVICE = "service"
    ENVIRONMENT = "environment"
    DESCRIPTION = "description"
    STACK_TRACE = "stack_trace"
    TRACE_ID = "trace_id"
    USERS_AFFECTED = "users_affected"
    PRIVATE = "private"
    FILES = "files"  # screenshots and logs (a file input; read by incidents/report_files.py)


SLASH_COMMAND = "/incident"


__all__ = ["SLASH_COMMAND", "Action", "Callback", "Field", "IssueKey", "ModalField"]
