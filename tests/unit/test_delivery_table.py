"""The outbox contract: kinds are declared once, payloads are typed, steps get them back."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

import pytest
from sqlmodel import col, select

from bot.core.clock import FakeClock
from bot.core.delivery import DeliveryTable, KindError, Payload, enqueue
from bot.core.outbox import DeliveryError, Outbox
from bot.detection.kinds import DetectionKind
from bot.incidents.kinds import IncidentKind
from bot.reviews.kinds import ReviewKind
from bot.sla.kinds import SlaKind
from storage.db import Database
from storage.models import OutboxItem


class ToyKind(StrEnum):
    WAVE = "wave"
    NOD = "nod"


@dataclass(frozen=True)
class Wave(Payload):
    kind: ClassVar = ToyKind.WAVE
    to: str
    times: int = 1


@dataclass(frozen=True)
class AnotherWave(Payload):
    kind: ClassVar = ToyKind.WAVE


async def _ignore(_issue: Any, _payload: Any) -> None:
    return None


def test_a_kind_registered_twice_stops_start_up(db: Database) -> None:
    table = DeliveryTable(db)
    table.register({Wave: _ignore})
    with pytest.raises(KindError, match="'wave' is registered twice"):
        table.register({AnotherWave: _ignore})


def test_a_declared_kind_without_a_step_stops_start_up(db: Database) -> None:
    table = DeliveryTable(db)
    table.register({Wave: _ignore})
    with pytest.raises(KindError, match="without a delivery step: nod"):
        table.require([ToyKind])


def test_every_slice_kind_has_one_step_in_the_app(db: Database) -> None:
    from bot.app import create_app
    from bot.config import Settings

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_bot_token="xoxb-test",
        slack_signing_secret="secret",
        database_url=db.engine.url.render_as_string(hide_password=False),
    )
    runtime = create_app(settings, clock=FakeClock()).runtime
    table = runtime.outbox.deliver
    runtime.db.dispose()
    assert isinstance(table, DeliveryTable)
    table.require([IncidentKind, SlaKind, DetectionKind, ReviewKind])  # does not raise
    values = [k.value for enum in (IncidentKind, SlaKind, DetectionKind, ReviewKind) for k in enum]
    assert len(values) == len(set(values))


async def test_a_payload_is_stored_as_json_and_read_back_typed(db: Database) -> None:
    clock = FakeClock()
    got: list[Wave] = []

    async def wave(issue: Any, payload: Wave) -> None:
        assert issue is None
        got.append(payload)

    table = DeliveryTable(db)
    table.register({Wave: wave})
    with db.session() as session:
        enqueue(session, clock, Wave("U1", times=2), stream="toys")
        # A row whose payload no longer fits its type (say, from an older release).
        enqueue(session, clock, Wave("U2"), stream="old").payload = {"whom": "U2"}
    with db.session() as session:
        stored = [
            row.payload for row in session.exec(select(OutboxItem).order_by(col(OutboxItem.id)))
        ]
    assert stored[0] == {"to": "U1", "times": 2}
    box = Outbox(db, clock, table)
    assert await box.deliver_due() == 1
    assert got == [Wave("U1", 2)]
    with db.session() as session:
        old = session.exec(select(OutboxItem).where(OutboxItem.stream == "old")).one()
    assert old.last_error is not None and "Wave payload does not fit" in old.last_error


async def test_an_unknown_kind_is_a_permanent_failure(db: Database) -> None:
    table = DeliveryTable(db)
    with pytest.raises(DeliveryError) as failure:
        await table(OutboxItem(stream="x", kind="nope", payload={}))
    assert failure.value.permanent
