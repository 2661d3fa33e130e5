"""`firebell demo`: a customer message becomes a tracked issue and is walked to closed.

The bot and a sandbox Slack run in this process on a temporary SQLite file;
the script acts as the people, and the transcript shows what Slack would show.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, epoch_seconds, running
from sandbox import Sandbox
from sandbox.transcript import humanise, render
from sandbox.workspace import Message, User, Workspace

ALERT_TOKEN = "demo-alert-token"
CUSTOMER_MESSAGE = (
    "Hi team, checkout keeps failing for me with 'Error 502' since about 10:05. "
    "I tried two cards and Firefox and Chrome. Order id 88812."
)

Out = Callable[[str], None]


def flushed(line: str) -> None:
    print(line, flush=True)  # a pipe too sees the board's URL as soon as it is printed


async def run_demo(out: Out = flushed, serve: bool = False, port: int = 0) -> int:
    """Play the script; with `serve`, then keep the sandbox and the web app running (the
    web app on, signing in through the sandbox's OpenID provider) until SIGINT/SIGTERM."""
    logging.getLogger().setLevel(logging.WARNING)
    # Simulated time, so the SLA warning and the escalation show without waiting; Slack
    # stamps messages with it too, so the review's timeline reads in order.
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    sandbox = await Sandbox(now=epoch_seconds(clock)).start()
    people = Cast(sandbox.workspace)
    try:
        with tempfile.TemporaryDirectory(prefix="firebell-demo-") as tmp:
            database_url = f"sqlite:///{Path(tmp) / 'firebell.db'}"
            web = web_settings() if serve else {}
            async with running(
                database_url, clock=clock, config=people.config(), sandbox=sandbox, port=port, **web
            ) as h:
                played = await play(Script(h, people, clock, out))
                if not played or not serve:
                    return 0 if played else 1
                out(
                    f"\nThe demo keeps running (Ctrl-C to stop). The board: {h.bot_url}/\n"
                    "    Sign in there as a sandbox user (Dana, Sam or Casey): the sandbox's "
                    "sign-in page lists them."
                )
                await until_stopped()
                return 0
    finally:
        await sandbox.stop()


async def play(script: Script) -> bool:
    return (
        await script.capture()
        and await script.escalate()
        and await script.resolve()
        and await script.alert()
    )


def web_settings() -> dict[str, Any]:
    """The web app on, with the sandbox as the OpenID provider (Sign in with Slack)."""
    from cryptography.fernet import Fernet

    from sandbox.oidc import CLIENT_ID, CLIENT_SECRET

    return {
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "firebell_session_key": Fernet.generate_key().decode(),
    }


async def until_stopped() -> None:
    """Wait for SIGINT (Ctrl-C) or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


# What Sam publishes to the status page, in a customer's words.
PUBLISHED = (
    "Some card payments fail at checkout. We have found the cause and are rolling back.",
    "The fix is deployed and card payments work again. We are keeping an eye on it.",
)


class Cast:
    """The people of the demo, and a firebell.yml in which Sam is on call."""

    def __init__(self, ws: Workspace) -> None:
        self.dana = ws.add_user("dana", "Dana (support)")
        self.sam = ws.add_user("sam", "Sam (SRE)")
        self.casey = ws.add_user("casey", "Casey (customer)")
        self.support = ws.add_channel("support", self.dana, self.sam, self.casey, ws.bot)

    def config(self) -> FirebellConfig:
        return FirebellConfig.model_validate(
            {
                "schedules": [
                    {
                        "name": "sre",
                        "rotations": [
                            {
                                "participants": [self.sam.id],
                                "shift": "1w",
                                "handoff": "2026-01-05T09:00",
                            }
                        ],
                    }
                ],
                "escalation_policies": [
                    {
                        "name": "default",
                        "steps": [{"targets": [{"schedule": "sre"}], "wait": "10m"}],
                    }
                ],
                "webhooks": {"tokens": {"alertmanager": ALERT_TOKEN}},
                "status_page": {
                    "title": "Example Shop status",
                    "components": [
                        {"name": "Checkout", "services": ["checkout-api", "payments"]},
                        {"name": "Search", "services": ["search"]},
                    ],
                },
            }
        )


class Script:
    def __init__(self, h: Harness, cast: Cast, clock: FakeClock, out: Out) -> None:
        self.h, self.ws, self.out, self.clock = h, h.ws, out, clock
        self.dana, self.sam, self.casey = cast.dana, cast.sam, cast.casey
        self.support = cast.support
        self.room: Any = None
        self._shown = 0

    def step(self, text: str) -> None:
        self.out(f"\n── {text}")

    def show_new(self) -> None:
        """Print the messages posted since the last call."""
        if len(self.ws.messages) > self._shown:
            self.out(render(self.ws, since=self._shown))
        self._shown = len(self.ws.messages)

    async def settle(self) -> None:
        await self.h.firebell.settle()
        self.show_new()

    async def press(self, user: User, message: Message, action: str, value: str = "") -> None:
        await self.h.driver.press(user, message, action, value)
        await self.settle()

    async def answer_modal(self, user: User, answers: dict[str, str]) -> None:
        """Fill and submit the modal the person has open (the one a button just opened)."""
        view = await self.ws.wait_for(lambda: next(iter(self.ws.open_views_of(user.id)), None))
        await self.h.driver.submit_view(user, view, answers)
        await self.settle()

    def checklist(self, phase: str) -> Message:
        return next(
            m
            for m in reversed(self.ws.messages_in(self.room.id))
            if m.text.startswith(f"{phase} checklist")
        )

    async def post_alert(self, status: str) -> str:
        """What Alertmanager sends (its documented webhook body), over HTTP."""
        labels = {"alertname": "SearchLatencyHigh", "severity": "major", "service": "search-api"}
        body = {
            "version": "4",
            "status": status,
            "receiver": "firebell",
            "groupLabels": {},
            "commonLabels": labels,
            "commonAnnotations": {},
            "externalURL": "http://am:9093",
            "alerts": [
                {
                    "status": status,
                    "labels": labels,
                    "fingerprint": "5ea7c4",
                    "annotations": {"summary": "p99 search latency above 2 s"},
                    "startsAt": "2026-01-05T09:00:00Z",
                }
            ],
        }
        headers = {"Authorization": f"Bearer {ALERT_TOKEN}"}
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{self.h.bot_url}/webhooks/alertmanager", json=body, headers=headers
            ) as resp,
        ):
            result = (await resp.json())["alerts"][0]
        await self.settle()
        return f"    Firebell answered {resp.status}: {result['action']} {result['issue'] or ''}"

    async def alert(self) -> bool:
        self.step("Detection: Alertmanager posts a firing alert; Firebell opens INC-2 itself")
        self.out(await self.post_alert("firing"))
        self.step("It fires again (one issue, the repeat is counted), then it resolves")
        self.out(await self.post_alert("firing"))
        self.out(await self.post_alert("resolved"))
        room = next((c for c in self.ws.channels.values() if c.name.startswith("inc-2-")), None)
        if room is None:
            self.out("    FAILED: the alert opened no issue")
            return False
        self.step("Result")
        self.out(
            f"    INC-1 is closed and INC-2 came from an alert (#{room.name}); the bot "
            f"made {len(self.ws.calls)} Slack Web API calls in all."
        )
        return True

    def review_message(self) -> Message:
        return next(
            m
            for m in reversed(self.ws.messages_in(self.room.id))
            if m.text.startswith("Post-incident review of")
        )

    def proposal(self) -> Message:
        """The latest message offering the next status."""
        return next(
            m
            for m in reversed(self.ws.messages_in(self.room.id))
            if "issue_move_status" in str(m.blocks)
        )

    def latest(self) -> Message:
        return self.ws.messages_in(self.room.id)[-1]

    async def capture(self) -> bool:
        ws, out = self.ws, self.out
        out("Firebell demo: the bot and a local Slack sandbox, talking over HTTP on loopback.")
        self.step("A customer writes in #support")
        message = ws.post(self.support, self.casey, CUSTOMER_MESSAGE)
        self.show_new()

        self.step("Dana picks “File an issue” from the message's ⋯ menu; the form opens prefilled")
        await self.h.driver.message_shortcut(self.dana, message)
        view = await ws.wait_for(lambda: next(iter(ws.open_views_of(self.dana.id)), None))
        description = next(b for b in view.view["blocks"] if b.get("block_id") == "description")
        out(
            f"    modal “{view.view['title']['text']}”, description: "
            f"{description['element'].get('initial_value', '')[:60]}…"
        )

        self.step("Dana submits without a title and gets an inline error")
        reply = await self.h.driver.submit_view(
            self.dana, view, {"type": "outage", "severity": "critical"}
        )
        out(f"    errors: {reply.json.get('errors')}")

        self.step("Dana completes the form and submits")
        reply = await self.h.driver.submit_view(
            self.dana,
            view,
            {
                "title": "Checkout fails with 502 for card payments",
                "type": "outage",
                "severity": "critical",
                "priority": "high",
                "service": "checkout-api",
                "environment": "prod, eu-west-1, web (Firefox, Chrome)",
                "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
                "users_affected": "120",
            },
        )
        out(f"    modal closed: {reply.status == 200 and not reply.json}")
        await self.settle()
        self.room = next((c for c in ws.channels.values() if c.name.startswith("inc-1-")), None)
        if self.room is None or not self.room.pins or not ws.dms_to(self.dana.id):
            out("    FAILED: no issue channel, pinned card or DM")
            return False
        self.room.members.add(self.sam.id)  # Sam joins the channel from the link
        return True

    async def escalate(self) -> bool:
        self.step("11 minutes pass and nobody acknowledges (critical: 15 min to acknowledge)")
        self.clock.advance(minutes=11, seconds=15)
        await self.h.firebell.tick()
        self.show_new()
        self.step("At 90 % of the deadline Firebell escalates to whoever is on call: Sam")
        self.clock.advance(minutes=2, seconds=15)
        await self.h.firebell.tick()
        self.show_new()
        pages = self.ws.dms_to(self.sam.id)
        if not pages:
            self.out("    FAILED: nobody was paged")
            return False
        self.step("Sam presses Acknowledge in the page: he leads INC-1, the escalation stops")
        await self.press(self.sam, pages[-1], "page_ack")
        return True

    async def resolve(self) -> bool:
        self.step("Sam works the response checklist; the mitigation step asks a question")
        await self.press(self.sam, self.checklist("Response"), "step_done", "1:roles-assigned")
        await self.press(self.sam, self.checklist("Response"), "step_done", "1:recent-changes")
        await self.press(self.sam, self.checklist("Response"), "step_done", "1:mitigation-plan")
        await self.answer_modal(self.sam, {"answer": "Roll back checkout-api to v1.4.2"})

        self.step("Firebell proposes the next status; Sam accepts and posts an update")
        await self.press(self.sam, self.latest(), "issue_move_status")
        await self.h.driver.slash_command(self.sam, self.room, "update Rolling back checkout-api")
        self.step("Sam tells customers on the public status page (/status)")
        await self.h.driver.slash_command(self.sam, self.room, f"status publish {PUBLISHED[0]}")
        await self.settle()

        self.step("Dana pins Sam's observation with 📌: it joins the timeline at its own time")
        said = self.ws.post(self.room, self.sam, "Error rate is back to 0.1% after the rollback")
        self.show_new()
        await self.h.driver.event(self.h.driver.reaction(self.dana, said))
        await self.settle()

        self.step("Resolution: mitigated, retested, fixed; then the fix is deployed")
        await self.press(self.sam, self.checklist("Resolution"), "step_done", "1:mitigated")
        await self.press(self.sam, self.latest(), "issue_move_status")  # -> Retest
        await self.press(self.sam, self.latest(), "issue_move_status")  # -> Fixed
        await self.h.driver.slash_command(self.sam, self.room, "deployed")
        await self.h.driver.slash_command(self.sam, self.room, f"status publish {PUBLISHED[1]}")
        await self.settle()

        self.step("Analysis: Sam drafts the review (template mode: no model configured)")
        offer = next(m for m in self.ws.messages_in(self.room.id) if "draft the review" in m.text)
        await self.press(self.sam, offer, "review_draft")
        review = self.review_message()

        self.step("Sam edits the root cause and adds a prevention action for Dana")
        await self.press(self.sam, review, "review_edit")
        due = (self.clock.now().date() + timedelta(days=7)).isoformat()
        await self.answer_modal(
            self.sam,
            {
                "root_cause": "A config push set the PSP timeout to 50 ms",
                "factors": "Config pushes skip the canary",
                "action_title1": "Send config pushes through the canary",
                "action_owner1": self.dana.id,
                "action_due1": due,
            },
        )

        self.step("Sam publishes: follow-ups are tracked, analysis is done, closing is proposed")
        await self.press(self.sam, self.review_message(), "review_publish")
        await self.press(self.sam, self.proposal(), "issue_move_status")  # -> Closed

        self.step("What the reporter was told, and the timeline")
        for dm in self.ws.dms_to(self.dana.id):
            self.out("    DM to Dana: " + humanise(self.ws, dm.text).replace("\n", " "))
        reply = await self.h.driver.slash_command(self.sam, self.room, "timeline")
        for block in reply.json.get("blocks", [])[1:]:
            for line in block.get("text", {}).get("text", "").splitlines():
                self.out(f"    {humanise(self.ws, line)}")

        card = self.ws.messages_in(self.room.id)[0]
        closed = "Closed (analysis)" in str(card.blocks)
        self.step("Result")
        self.out(
            f"    INC-1 is {'closed' if closed else 'NOT closed'}; the bot made "
            f"{len(self.ws.calls)} Slack Web API calls."
        )
        return closed
