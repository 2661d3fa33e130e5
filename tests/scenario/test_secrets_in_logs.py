"""Nothing secret in the log: an escalation that pages PagerDuty and Opsgenie logs each
target by kind and a short hash, never the routing key or the API key (the SLA tick's
INFO line printed `pagerduty:<routing key>`)."""

from __future__ import annotations

import logging

import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import running
from bot.scheduler import tick
from bot.sla.targets import PageTarget, TargetKind
from sandbox import Sandbox
from tests.helpers import file_report

PD_KEY = "e93facc04764012d7bfb002500d5d1a6"  # 32 hex, as PagerDuty's routing keys
GENIE_KEY = "eb243592-faa2-4ba2-a551-1afdf565c889"  # a UUID, as Opsgenie's API keys


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as written and as raw parts (message, arguments, traceback)."""
    handler = logging.StreamHandler()
    parts = []
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.args), handler.format(record)]
    return "\n".join(parts)


async def test_an_escalation_to_pagers_logs_no_key(
    database_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox = await Sandbox().start()
    config = FirebellConfig(
        escalation_policies=[
            {
                "name": "default",
                "steps": [{"targets": [{"pagerduty": PD_KEY}, {"opsgenie": GENIE_KEY}]}],
            }
        ],
        paging={
            "pagerduty_url": sandbox.base_url + "pagerduty/v2/enqueue",
            "opsgenie_url": sandbox.base_url + "opsgenie/v2/alerts",
        },
    )
    caplog.set_level(logging.DEBUG)
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as h:
            dana = h.ws.add_user("dana", "Dana")
            support = h.ws.add_channel("support", dana, h.ws.bot)
            await file_report(h, dana, support)  # critical: acknowledge within 15 minutes
            clock.advance(minutes=13, seconds=30)  # 90 %: the escalation starts
            await tick(h.firebell.runtime)  # the scheduler's job, with its INFO line
            await h.firebell.settle()
            assert h.sandbox.pagers.pagerduty[-1]["routing_key"] == PD_KEY  # it was paged
            assert h.sandbox.pagers.opsgenie
    finally:
        await sandbox.stop()
    text = logged(caplog)
    pd, genie = PageTarget(TargetKind.PAGERDUTY, PD_KEY), PageTarget(TargetKind.OPSGENIE, GENIE_KEY)
    assert "SLA tick: TickResult(" in text and str(pd) in text and str(genie) in text
    for secret in (PD_KEY, GENIE_KEY, PD_KEY[-12:], GENIE_KEY[-12:]):
        assert secret not in text


def test_a_page_target_prints_a_pager_key_as_a_short_hash() -> None:
    pd = PageTarget(TargetKind.PAGERDUTY, PD_KEY)
    assert str(pd) == repr(pd) and PD_KEY not in f"{pd} {pd!r} {[pd]}"
    assert str(pd).startswith("pagerduty:key#") and len(str(pd)) == len("pagerduty:key#") + 8
    assert str(PageTarget(TargetKind.USER, "U0000002")) == "user:U0000002"
