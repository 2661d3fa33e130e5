"""A phase's checklist message: one row per step with Done and Skip buttons."""

from __future__ import annotations

from typing import Any

from bot.core.blocks import button, clip, context, escape, header, section
from bot.core.ids import Action
from bot.incidents.steps import PhaseView

PHASE_TITLES = {
    "detection": "Detection",
    "response": "Response",
    "resolution": "Resolution",
    "analysis": "Analysis",
}


def _step_line(view: PhaseView, index: int) -> str:
    item = view.steps[index]
    step, state = item.step, item.state
    mark = {"done": ":white_check_mark:", "skipped": ":fast_forward:"}.get(
        state.state if state else "", ":white_large_square:"
    )
    text = escape(step.text)
    if step.link:
        text = f"<{step.link}|{text}>"
    line = f"{mark} {text}"
    tags = []
    if step.required:
        tags.append("required")
    if step.owner:
        tags.append(step.owner.value)
    if tags:
        line += f"  _({', '.join(tags)})_"
    if state is not None:
        line += f"\n      {state.state} by <@{state.actor_id}>"
        if state.answer:
            line += f": {escape(clip(state.answer, 500))}"
        if state.skip_reason:
            line += f" – {escape(clip(state.skip_reason, 300))}"
    elif step.question:
        line += f"\n      asks: _{escape(step.question)}_"
    return line


def checklist_message(view: PhaseView) -> tuple[str, list[dict[str, Any]]]:
    issue = view.issue
    title = PHASE_TITLES[view.phase.value]
    total = len(view.steps)
    blocks: list[dict[str, Any]] = [
        header(f"{title} checklist · {issue.key}"),
        context(f"{view.finished} of {total} finished · playbook *{view.playbook.name}*"),
    ]
    if not view.steps:
        blocks.append(section("This playbook has no steps for this phase."))
    for index, item in enumerate(view.steps):
        blocks.append(section(_step_line(view, index)))
        if item.state is None:
            value = f"{issue.id}:{item.step.id}"
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"step:{item.step.id}",
                    "elements": [
                        button("Done", Action.STEP_DONE, value, "primary"),
                        button("Skip…", Action.STEP_SKIP, value),
                    ],
                }
            )
    text = f"{title} checklist for {issue.key}: {view.finished} of {total} finished"
    return text, blocks
