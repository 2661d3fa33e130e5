"""A firebell.yml under test in the playground: loaded as it is, its Slack ids become
sandbox people (the schedules' people are Sam and Pat, the first admin is Alex, any
other id an extra person named after it), and the alert button works even when the
file names no webhook token."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.config import load_config
from bot.demo.playground import playground

CONFIG = """
admins: [U0ADMIN01]
schedules:
  - name: sre
    rotations:
      - participants: [U0ONCALL1, U0ONCALL2, U0ONCALL3]
        shift: 1d
escalation_policies:
  - name: default
    steps:
      - targets: [{schedule: sre}, {user: U0MANAGER}]
        wait: 5m
"""


async def test_the_configs_people_are_the_playgrounds(tmp_path: Path, database_url: str) -> None:
    path = tmp_path / "firebell.yml"
    path.write_text(CONFIG)
    config = load_config(path)
    async with playground(config, port=0, database_url=database_url) as run:
        ws = run.h.ws
        sam, pat = run.cast.on_call
        assert (sam.real_name, sam.id) == ("Sam (on call)", "U0ONCALL1")
        assert (pat.real_name, pat.id) == ("Pat (on call)", "U0ONCALL2")
        assert run.cast.admin.id == "U0ADMIN01"
        assert ws.users["U0ONCALL3"].real_name == "U0ONCALL3"
        assert ws.users["U0MANAGER"].real_name == "U0MANAGER"
        # Firebell runs the file's policy as loaded, with only the missing tokens added.
        assert run.h.firebell.runtime.config.escalation_policies == config.escalation_policies
        assert any("no webhook token for alertmanager and deploy" in n for n in run.cast.notes)
        async with aiohttp.ClientSession() as http:
            async with http.post(run.url + "api/alert", json={"status": "firing"}) as resp:
                answer = await resp.json()
        assert answer["status"] == 202, answer
        assert answer["answer"]["alerts"][0]["action"] == "opened"
        assert any(c.name.startswith("inc-1-") for c in ws.channels.values())
