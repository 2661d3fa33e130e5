"""Every Slack id Firebell uses (callback, block and action ids) in one place."""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    REPORT_MODAL = "report_issue"
    FILE_ISSUE_SHORTCUT = "file_issue"
    DECLARE_SHORTCUT = "declare_incident"


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


SLASH_COMMAND = "/incident"
