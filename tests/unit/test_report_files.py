"""Reading Slack's files for a report: the one type and size rule, hostile file objects,
the modal's file input as Slack validates it, and carrying a message's files through
the modal's private_metadata."""

from __future__ import annotations

from typing import Any

from bot.incidents.drafts import Source
from bot.incidents.file_rules import FileLimits
from bot.incidents.report_files import SlackFile, from_file_input, slack_files
from bot.incidents.report_modal import (
    ReportPrefill,
    decode_files,
    decode_metadata,
    encode_metadata,
    report_modal,
)
from bot.reports.config import DEFAULT_TYPES, IntakeConfig
from sandbox.blockkit import message_problems, view_problems
from tests.unit.hostile_records import HOSTILE

LIMITS = FileLimits.of(DEFAULT_TYPES, IntakeConfig().max_upload_bytes)


def slack_file(**fields: Any) -> dict[str, Any]:
    return {"id": "F0ABC123", "name": "shot.png", "mimetype": "image/png", "size": 10, **fields}


def test_the_rule_names_the_type_or_the_size_that_does_not_fit() -> None:
    assert LIMITS.refusal("image/png", 10 * 1024 * 1024) is None
    assert LIMITS.refusal("Image/PNG; charset=binary", 1) is None
    assert LIMITS.refusal("image/png", 10 * 1024 * 1024 + 1) == (
        "it is 10.0 MB, over the 10.0 MB limit"
    )
    assert LIMITS.refusal("video/mp4", 1) == "it is video/mp4, which is not taken"
    assert LIMITS.refusal("", 1) == "it is of a type the sender did not name, which is not taken"
    assert LIMITS.refusal("image/png", None) == "its size was not given"


def test_the_picker_offers_the_allowed_extensions_or_any_file() -> None:
    kinds = LIMITS.extensions()
    assert kinds is not None and {"png", "jpg", "jpeg", "txt", "csv", "har", "pdf"} <= set(kinds)
    # A type without a known extension: Slack's picker must not hide it, so no filter.
    assert FileLimits.of(["image/png", "application/x-firebell"], 1).extensions() is None
    assert "application/x-firebell" in FileLimits.of(["application/x-firebell"], 1).what_works()


def test_hostile_file_objects_are_left_out_or_cleaned() -> None:
    garbage: list[Any] = [
        None,
        "F0ABC123",
        {"id": 7},
        {"id": "../etc/passwd"},
        {"id": "F" + "A" * 40},
        slack_file(size=-1, name="a\x00b\nc.png" + "x" * 400, mimetype='"><img'),
        slack_file(),  # a repeat of the one above: carried once
    ]
    (only,) = slack_files(garbage)
    assert only.size is None and only.mimetype == ""
    assert "\x00" not in only.name and "\n" not in only.name and len(only.name) <= 255
    assert slack_files({"not": "a list"}) == ()
    external = SlackFile.read(slack_file(is_external=True))
    assert external is not None and external.checked(LIMITS).refused is not None


def test_the_file_input_answer_is_read_or_refused_with_what_works() -> None:
    def values(*files: Any) -> dict[str, Any]:
        return {"files": {"files": {"type": "file_input", "files": list(files)}}}

    kept, errors = from_file_input(values(slack_file()), LIMITS)
    assert errors == {} and [(a.slack_file_id, a.origin, a.refused) for a in kept] == [
        ("F0ABC123", "slack", None)
    ]
    for nothing in ({}, {"files": "x"}, {"files": {"files": 3}}, values()):
        assert from_file_input(nothing, LIMITS) == ((), {})
    _, errors = from_file_input(values(slack_file(name="x.exe", mimetype="application/x")), LIMITS)
    assert errors["files"].startswith("x.exe: it is application/x, which is not taken. Attach .")
    _, errors = from_file_input(values({"id": "nope"}), LIMITS)
    assert "did not come through" in errors["files"]


def test_the_modal_with_its_file_input_is_what_slack_accepts() -> None:
    view = report_modal(ReportPrefill(), LIMITS)
    assert view_problems(view) == []
    files = [b for b in view["blocks"] if b.get("block_id") == "files"]
    assert len(files) == 1 and files[0]["element"]["max_files"] == 10
    assert all(b.get("block_id") != "files" for b in report_modal(ReportPrefill())["blocks"])


def test_the_sandbox_refuses_a_file_input_where_slack_would() -> None:
    def block(**element: Any) -> dict[str, Any]:
        return {
            "type": "input",
            "block_id": "f",
            "label": {"type": "plain_text", "text": "Files"},
            "element": {"type": "file_input", "action_id": "f", **element},
        }

    def modal(*blocks: Any) -> dict[str, Any]:
        return {
            "type": "modal",
            "title": {"type": "plain_text", "text": "x"},
            "submit": {"type": "plain_text", "text": "Go"},
            "blocks": list(blocks),
        }

    assert view_problems(modal(block(max_files=10, filetypes=["png"]))) == []
    assert any("max_files" in p for p in view_problems(modal(block(max_files=11))))
    assert any("max_files" in p for p in view_problems(modal(block(max_files=0))))
    assert any("filetypes" in p for p in view_problems(modal(block(filetypes=[".png"]))))
    assert any("only in a modal" in p for p in message_problems([block()]))


def test_a_messages_files_ride_in_the_metadata_within_slacks_limit() -> None:
    source = Source("C1", "1700000000.000100", "https://x.slack.com/archives/C1/p1" + "1" * 900)
    files = tuple(
        SlackFile(f"F{n:08d}", f"{HOSTILE}{n}.png" * 3, "application/" + "x" * 48, 10**12)
        for n in range(12)
    )
    raw = encode_metadata(source, files)
    assert len(raw) <= 3000
    carried = decode_files(raw)
    assert [f.id for f in carried] == [f.id for f in files[:10]]
    assert all(f.name.endswith(".png") for f in carried)  # shortened, the extension kept
    decoded = decode_metadata(raw)
    assert decoded is not None and decoded.channel_id == "C1"
    assert decode_files("not json") == () and decode_files('{"files": 3}') == ()
    small = encode_metadata(source, files[:1])
    assert decode_metadata(small) == source  # the permalink kept when it fits
