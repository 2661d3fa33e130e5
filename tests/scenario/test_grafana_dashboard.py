"""contrib/grafana/firebell.json queries only metrics a running Firebell exposes, and
imports cleanly (one datasource input, titled and described panels)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import aiohttp

from bot.demo.harness import Harness
from tests.helpers import channel_of, file_report, people, run

DASHBOARD = Path(__file__).resolve().parents[2] / "contrib" / "grafana" / "firebell.json"
NAME = re.compile(r"\bfirebell_[a-z_]+")
HISTOGRAM_PARTS = ("_bucket", "_sum", "_count")


def queried(dashboard: dict) -> set[str]:
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    exprs += [v["definition"] for v in dashboard["templating"]["list"]]
    return {name for expr in exprs for name in NAME.findall(expr)}


def exposed(text: str) -> set[str]:
    """Every name a query can use: sample names, and for a family declared with no
    sample yet (a labelled counter nothing has counted) the names it will have."""
    names = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line[:1] != "#"}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, family, kind = line.split(" ", 3)
            names.add(family)
            if kind == "histogram":
                names |= {family + part for part in HISTOGRAM_PARTS}
    return names


def test_the_dashboard_imports_cleanly() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert [i["name"] for i in dashboard["__inputs"]] == ["DS_PROMETHEUS"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["title"] and panel["description"], panel["id"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]
    titles = " ".join(p["title"] for p in dashboard["panels"])
    assert "Time to fix" in titles and "Time to deploy after the fix" in titles  # kept apart


async def test_every_metric_the_dashboard_queries_is_exposed(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    await run(h, sam, channel_of(h, issue), "ack")
    await h.firebell.tick()
    async with aiohttp.ClientSession() as http, http.get(h.bot_url + "/metrics") as response:
        text = await response.text()
    wanted = queried(json.loads(DASHBOARD.read_text()))
    assert len(wanted) >= 12
    missing = sorted(wanted - exposed(text))
    assert not missing, f"the dashboard queries metrics /metrics does not have: {missing}"
