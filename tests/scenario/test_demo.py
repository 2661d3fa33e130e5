"""`firebell demo` plays the capture end to end and prints a readable transcript."""

from __future__ import annotations

from bot.demo import run_demo


async def test_demo_plays_a_whole_capture() -> None:
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
