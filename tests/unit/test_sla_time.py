"""Durations, business-time deadlines and on-call rotations across hand-offs and time zones."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import FirebellConfig
from bot.core.business_time import BusinessHours
from bot.core.durations import format_duration, parse_duration, spoken_gap
from bot.sla.rotations import OverrideWindow, next_on_call, on_call

BERLIN = ZoneInfo("Europe/Berlin")


def test_durations_read_like_people_write_them() -> None:
    assert parse_duration("15m") == timedelta(minutes=15)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration("1w") == timedelta(weeks=1)
    for bad in ("", "soon", "10", "5s", "0m", "1h 30x"):
        with pytest.raises(ValueError, match=r"duration|longer than zero"):
            parse_duration(bad)
    assert format_duration(timedelta(hours=26, minutes=5)) == "1d 2h 5m"
    assert format_duration(timedelta(seconds=40)) == "less than a minute"  # never "0m"
    assert format_duration(timedelta(0)) == "less than a minute"
    # A gap said in a sentence: its largest unit, in words, whichever way it runs.
    assert spoken_gap(timedelta(minutes=3, seconds=50)) == "3 minutes"
    assert spoken_gap(timedelta(minutes=-1)) == "1 minute"
    assert spoken_gap(timedelta(hours=5, minutes=59)) == "5 hours"
    assert spoken_gap(timedelta(days=2, hours=3)) == "2 days"
    assert spoken_gap(timedelta(seconds=20)) == "less than a minute"


def test_business_time_skips_nights_and_weekends() -> None:
    office = BusinessHours("Europe/Berlin", ["mon", "tue", "wed", "thu", "fri"], time(9), time(17))
    friday_4pm = datetime(2026, 1, 9, 16, 0, tzinfo=BERLIN)
    due = office.add(friday_4pm, timedelta(hours=8))  # one business day
    assert due == datetime(2026, 1, 12, 16, 0, tzinfo=BERLIN)  # Monday 4 pm
    saturday = datetime(2026, 1, 10, 12, 0, tzinfo=BERLIN)
    assert office.add(saturday, timedelta(hours=1)) == datetime(2026, 1, 12, 10, 0, tzinfo=BERLIN)
    assert office.elapsed(friday_4pm, due) == timedelta(hours=8)


def config(**schedule: object) -> FirebellConfig:
    return FirebellConfig(schedules=[{"name": "primary", "timezone": "Europe/Berlin", **schedule}])


WEEKLY = {
    "rotations": [
        {"participants": ["UANA", "UBEN", "UCAT"], "shift": "1w", "handoff": "2026-01-05T09:00"}
    ]
}


def test_weekly_rotation_hands_off_at_local_time_across_dst() -> None:
    schedule = config(**WEEKLY).schedule("primary")
    assert schedule is not None
    before = datetime(2026, 1, 12, 7, 59, tzinfo=UTC)  # 08:59 Berlin, still week one
    after = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # 09:00 Berlin
    assert on_call(schedule, before).user == "UANA"  # type: ignore[union-attr]
    assert on_call(schedule, after).user == "UBEN"  # type: ignore[union-attr]
    # Summer time starts 29 March: the hand-off stays at 09:00 Berlin (07:00 UTC).
    shift = on_call(schedule, datetime(2026, 3, 30, 7, 30, tzinfo=UTC))
    assert shift is not None and shift.start == datetime(2026, 3, 30, 9, 0, tzinfo=BERLIN)
    assert shift.start.astimezone(UTC).hour == 7
    coming = next_on_call(schedule, datetime(2026, 3, 30, 7, 30, tzinfo=UTC))
    assert coming is not None and coming.start == datetime(2026, 4, 6, 9, 0, tzinfo=BERLIN)


def test_hourly_shifts_and_nobody_before_the_first_hand_off() -> None:
    schedule = config(
        rotations=[
            {"participants": ["UANA", "UBEN"], "shift": "12h", "handoff": "2026-01-05T08:00"}
        ]
    ).schedule("primary")
    assert schedule is not None
    assert on_call(schedule, datetime(2026, 1, 5, 6, 0, tzinfo=UTC)) is None
    assert on_call(schedule, datetime(2026, 1, 5, 19, 0, tzinfo=UTC)).user == "UBEN"  # type: ignore[union-attr]
    assert next_on_call(schedule, datetime(2026, 1, 5, 6, 0, tzinfo=UTC)).user == "UANA"  # type: ignore[union-attr]


def test_overrides_win_and_cut_the_shift_short() -> None:
    schedule = config(
        **WEEKLY,
        overrides=[{"user": "UDAN", "start": "2026-01-07T18:00", "end": "2026-01-08T09:00"}],
    ).schedule("primary")
    assert schedule is not None
    noon = datetime(2026, 1, 7, 11, 0, tzinfo=UTC)
    shift = on_call(schedule, noon)
    assert shift is not None and shift.user == "UANA"
    assert shift.end == datetime(2026, 1, 7, 18, 0, tzinfo=BERLIN)
    assert next_on_call(schedule, noon).user == "UDAN"  # type: ignore[union-attr]
    night = on_call(schedule, datetime(2026, 1, 7, 20, 0, tzinfo=UTC))
    assert night is not None and night.user == "UDAN" and night.override
    stored = [
        OverrideWindow(
            "UEVE", datetime(2026, 1, 7, 19, 0, tzinfo=UTC), datetime(2026, 1, 7, 21, 0, tzinfo=UTC)
        )
    ]
    assert on_call(schedule, datetime(2026, 1, 7, 20, 0, tzinfo=UTC), stored).user == "UEVE"  # type: ignore[union-attr]


def test_after_an_override_the_next_shift_starts_when_the_override_ends() -> None:
    schedule = config(**WEEKLY).schedule("primary")
    assert schedule is not None
    now = datetime(2026, 1, 7, 11, 0, tzinfo=UTC)  # Ana's week, which began on Monday
    dan = [OverrideWindow("UDAN", now, now + timedelta(hours=4))]
    assert on_call(schedule, now, dan).user == "UDAN"  # type: ignore[union-attr]
    back = next_on_call(schedule, now, dan)
    assert back is not None and back.user == "UANA"
    assert back.start == now + timedelta(hours=4)  # not Monday: never a "next" in the past


def test_a_local_time_falls_back_to_its_utc_reading() -> None:
    from bot.core.blocks import slack_date

    berlin_nine = datetime(2026, 1, 7, 9, 0, tzinfo=BERLIN)
    assert slack_date(berlin_nine).endswith("|2026-01-07 08:00 UTC>")


def test_schedule_references_are_checked() -> None:
    with pytest.raises(ValueError, match="names schedule 'secondary', which is not defined"):
        FirebellConfig(
            escalation_policies=[{"name": "p", "steps": [{"targets": [{"schedule": "secondary"}]}]}]
        )
    with pytest.raises(ValueError, match="exactly one of"):
        FirebellConfig(
            escalation_policies=[
                {"name": "p", "steps": [{"targets": [{"user": "UANA", "channel": "C123"}]}]}
            ]
        )
    with pytest.raises(ValueError, match="not a time zone"):
        config(timezone="Mars/Olympus", **WEEKLY)


def test_escalation_policy_is_chosen_by_service_type_and_severity() -> None:
    step = [{"targets": [{"user": "UANA"}]}]
    config = FirebellConfig(
        escalation_policies=[
            {"name": "default", "steps": step},
            {"name": "critical", "match": {"severities": ["critical"]}, "steps": step},
            {"name": "security", "match": {"types": ["security"]}, "steps": step},
            {"name": "payments", "match": {"services": ["checkout-api"]}, "steps": step},
        ]
    )
    assert config.choose_policy("minor", "bug", None).name == "default"  # type: ignore[union-attr]
    assert config.choose_policy("critical", "bug", None).name == "critical"  # type: ignore[union-attr]
    assert config.choose_policy("critical", "security", None).name == "security"  # type: ignore[union-attr]
    assert config.choose_policy("critical", "security", "checkout-api").name == "payments"  # type: ignore[union-attr]
    assert FirebellConfig().choose_policy("critical", "bug", None) is None
