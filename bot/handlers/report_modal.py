"""Submitting the "Report an issue" modal."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot.core.errors import new_error_id
from bot.core.ids import Callback, Field
from bot.incidents.filing import file_issue
from bot.incidents.report_form import FormErrors, parse_report
from bot.incidents.report_modal import decode_metadata
from bot.runtime import CONTEXT_KEY, Runtime

log = logging.getLogger(__name__)


async def submit_report(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    runtime: Runtime = context[CONTEXT_KEY]
    view = body["view"]
    try:
        draft = parse_report(
            view["state"]["values"],
            reporter_id=body["user"]["id"],
            source=decode_metadata(view.get("private_metadata")),
        )
    except FormErrors as exc:
        await ack(response_action="errors", errors=exc.errors)
        return
    try:
        # The view id is the same for a double submit and for Slack's retries.
        playbook = runtime.playbooks.choose(draft.type, draft.severity)
        filed = file_issue(
            runtime.db, runtime.clock, draft, f"view:{view['id']}", playbook, runtime.sla
        )
    except Exception:
        error_id = new_error_id()
        log.exception("could not store an issue, error id %s", error_id)
        message = (
            f"Firebell could not save this (error id {error_id}). "
            "Your answers are kept: submit again."
        )
        await ack(response_action="errors", errors={Field.TITLE.value: message})
        return
    await ack()
    if filed.created:
        runtime.worker.kick()


def register(app: AsyncApp) -> None:
    app.view(Callback.REPORT_MODAL.value)(submit_report)
