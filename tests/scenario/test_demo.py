"""`firebell demo` plays the capture end to end and prints a readable transcript."""

from __future__ import annotations

from bot.demo.script import run_demo


async def test_demo_plays_an_issue_from_capture_to_closed() -> None:
    lines: list[str] = []
    assert await run_demo(lines.append) == 0
    transcript = "\n".join(lines)
    assert "[#support] Casey (customer):" in transcript
    assert "errors: {'title':" in transcript
    assert "# INC-1: Checkout fails with 502 for card payments" in transcript
    assert "[DM to Dana (support)] Firebell:" in transcript
    assert "[#support (thread)] Firebell:" in transcript
    assert "Filed as *INC-1*. Follow along in #inc-1-checkout-fails-with-502-for-card-payments" in (
        transcript
    )
    assert "the SLA to acknowledge INC-1 runs out in 3m" in transcript
    assert "[DM to Sam (SRE)] Firebell:\n    :rotating_light: *INC-1* needs you" in transcript
    assert ":mega: Escalated INC-1 to @sam (step 1 of 1)." in transcript
    assert "# Response checklist · INC-1" in transcript
    assert "Move it to *Revise*?" in transcript and "[Move to Revise]" in transcript
    assert "@sam moved INC-1: Fixed → *Closed*." in transcript
    assert "@dana pinned a message from @sam: Error rate is back to 0.1% after the rollback" in (
        transcript
    )
    # The review's timeline is in simulated time: the pin comes after the escalation.
    review = transcript[transcript.index("# Post-incident review · INC-1") :]
    assert review.index("escalated (step 1") < review.index("pinned a message from @sam")
    assert "*Resolution:* A config push set the PSP timeout to 50 ms" in transcript
    assert "# Post-incident review · INC-1 (draft)" in transcript
    assert "Template draft, not AI-written" in transcript
    assert "You own a follow-up from the review of INC-1" in transcript
    assert "published the post-incident review of INC-1 with 1 action item" in transcript
    assert "INC-1 is closed" in transcript
    assert "Published to the status page by @sam" in transcript
    assert "# INC-2: p99 search latency above 2 s" in transcript
    assert "*Reporter*: Alertmanager alert" in transcript
    assert "Firebell answered 202: repeat INC-2" in transcript
    assert "The alert “p99 search latency above 2 s” of INC-2 resolved." in transcript
