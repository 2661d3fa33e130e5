"""The figures on a scripted history whose answers are known by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.insights.figures import (
    EVERY_ISSUE,
    Spread,
    a_channel,
    a_person,
    baseline,
    by_week,
    figures,
    period,
)
from storage.db import Database
from storage.models import AlertGroup, Deploy, Issue, IssueMetrics, PageSent, SlaClock

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def issue(number: int, **fields: object) -> Issue:
    values: dict[str, object] = {
        "number": number,
        "idempotency_key": f"k{number}",
        "title": f"Issue {number}",
        "type": "outage",
        "severity": "critical",
        "reporter_id": "U1",
        "created_at": T0,
    }
    values.update(fields)
    return Issue(**values)  # type: ignore[arg-type]


def test_times_are_measured_from_transitions_and_fix_is_apart_from_deploy(db: Database) -> None:
    with db.session() as session:
        session.add_all(
            [
                # acked after 10 min, fixed after 70, deployed 30 min after the fix
                issue(
                    1,
                    status="closed",
                    acknowledged_at=T0 + 10 * MIN,
                    fixed_at=T0 + 70 * MIN,
                    deployed_at=T0 + 100 * MIN,
                    closed_at=T0 + 200 * MIN,
                ),
                # acked after 30 min, closed after 5 h with no deploy: resolve = close
                issue(
                    2,
                    severity="minor",
                    service="checkout",
                    reporter_id="alertmanager",
                    status="closed",
                    acknowledged_at=T0 + 30 * MIN,
                    fixed_at=T0 + 240 * MIN,
                    closed_at=T0 + 300 * MIN,
                ),
                issue(3, status="assigned", acknowledged_at=T0 + 50 * MIN),  # still open
                issue(4, created_at=T0 - timedelta(days=40)),  # before the period
            ]
        )
        session.flush()
        session.add_all(
            [
                SlaClock(
                    issue_id=1,
                    kind="acknowledge",
                    started_at=T0,
                    warn_at=T0,
                    escalate_at=T0,
                    due_at=T0,
                    stopped_at=T0 + 10 * MIN,
                ),
                SlaClock(
                    issue_id=2,
                    kind="acknowledge",
                    started_at=T0,
                    warn_at=T0,
                    escalate_at=T0,
                    due_at=T0,
                    stopped_at=T0 + 30 * MIN,
                    breached_at=T0 + 20 * MIN,
                ),
                SlaClock(
                    issue_id=3, kind="resolve", started_at=T0, warn_at=T0, escalate_at=T0, due_at=T0
                ),  # running: neither met nor breached
            ]
        )
    found = figures(db, T0 - timedelta(days=7), T0 + timedelta(days=1))
    assert (found.filed, found.closed, found.open_now) == (3, 2, 2)
    assert found.time_to_acknowledge == Spread(3, 30 * 60.0, 30 * 60.0, 50 * 60.0)
    assert found.time_to_fix.median == 155 * 60.0  # (70 + 240) / 2
    assert found.time_to_deploy == Spread(1, 30 * 60.0, 30 * 60.0, 30 * 60.0)  # after the fix
    assert found.time_to_resolve.count == 2 and found.time_to_resolve.median == 200 * 60.0
    assert found.sla["acknowledge"].met == 1 and found.sla["acknowledge"].breached == 1
    assert found.sla["acknowledge"].ratio == 0.5
    # A clock still running counts in neither met nor breached: no ratio yet.
    assert found.sla["resolve"].running == 1 and found.sla["resolve"].ratio is None
    assert found.by_source == {"slack": 2, "alertmanager": 1}
    assert found.by_severity == {"critical": 2, "minor": 1}
    assert figures(db, T0, T0 + timedelta(days=1), service="checkout").filed == 1


def test_a_period_and_the_one_before() -> None:
    before, start, end = period(T0, 7)
    assert (end - start, start - before) == (timedelta(days=7), timedelta(days=7))


def test_what_recurs_most_is_ranked_by_occurrences_and_named_without_titles(
    db: Database,
) -> None:
    with db.session() as session:
        session.add_all(
            [
                issue(1, service="checkout", occurrences=1),
                issue(2, service="search", occurrences=9, private=True),
                issue(3, service="checkout", occurrences=2),
            ]
        )
        session.flush()
        for fingerprint, issue_id, occurrences, seen in (
            ("fp-disk", 2, 9, T0),
            ("fp-5xx", 1, 3, T0),
            ("fp-5xx", 3, 4, T0 + MIN),  # the same alert again, a later group
            ("fp-old", None, 50, T0 - timedelta(days=30)),  # outside the period
        ):
            session.add(
                AlertGroup(
                    fingerprint=fingerprint,
                    source="alertmanager",
                    issue_id=issue_id,
                    is_open=False,
                    title="Payroll export leaks",
                    occurrences=occurrences,
                    first_seen=seen,
                    last_seen=seen,
                )
            )
    since, until = T0 - timedelta(days=1), T0 + timedelta(days=1)
    for reader in (EVERY_ISSUE, a_person("U1")):  # a private token; the reporter of INC-2
        found = figures(db, since, until, audience=reader)
        assert [(r.name, r.issues, r.occurrences) for r in found.top_services] == [
            ("search", 1, 9),
            ("checkout", 2, 3),
        ]
        assert [(r.name, r.issues, r.occurrences) for r in found.top_fingerprints] == [
            ("fp-disk", 1, 9),
            ("fp-5xx", 2, 7),
        ]
        assert found.by_service == {"checkout": 2, "search": 1} and found.not_named == 0
        assert figures(db, since, until, "search", audience=reader).filed == 1


def test_a_private_issue_is_counted_but_never_named_for_others(db: Database) -> None:
    with db.session() as session:
        session.add_all(
            [
                issue(1, service="checkout", occurrences=1),
                issue(2, service="hr-payroll-db", occurrences=9, private=True),
            ]
        )
        session.flush()
        session.add(
            AlertGroup(
                fingerprint="ssh-bruteforce-hr-db",
                source="generic",
                issue_id=2,
                title="t",
                occurrences=9,
                first_seen=T0,
                last_seen=T0,
            )
        )
    since, until = T0 - timedelta(days=1), T0 + timedelta(days=1)
    for reader in (a_channel(), a_person("U2"), None):  # None: figures' default
        found = figures(db, since, until, audience=reader)
        assert found.filed == 2 and found.not_named == 1  # counted, not named
        assert found.by_service == {"checkout": 1}
        assert [r.name for r in found.top_services] == ["checkout"]
        assert found.top_fingerprints == []
        # A filter by its service would confirm it: it covers only what the reader sees.
        assert figures(db, since, until, "hr-payroll-db", audience=reader).filed == 0
        assert figures(db, since, until, "hr-payroll-db", audience=reader).open_now == 0


def test_the_period_before_is_compared_on_the_same_figures(db: Database) -> None:
    """The baseline `/incident stats` and the digest compare with is read apart (less
    of it): each of its figures is the one `figures` gives for that period."""
    with db.session() as session:
        checkout = Deploy(
            service="checkout", version="v1", deployed_at=T0 - 5 * MIN, received_at=T0
        )
        search = Deploy(service="search", version="v9", deployed_at=T0 + 5 * MIN, received_at=T0)
        session.add_all([checkout, search])
        session.add_all(
            [
                issue(
                    1,
                    service="checkout",
                    acknowledged_at=T0 + 10 * MIN,
                    fixed_at=T0 + 70 * MIN,
                    deployed_at=T0 + 100 * MIN,
                ),
                issue(2, service="search", private=True, acknowledged_at=T0 + 30 * MIN),
                issue(3, service="checkout", reporter_id="U2", fixed_at=T0 + 40 * MIN),
                issue(4, exclude_from_metrics=True, acknowledged_at=T0 + MIN),  # a drill
                issue(5, created_at=T0 - timedelta(days=40)),  # outside the period
            ]
        )
        session.flush()
        first, second = (session.get(Issue, n) for n in (1, 2))
        assert first is not None and second is not None
        session.add(IssueMetrics(issue_id=first.id, suspect_deploy_id=checkout.id, status_since=T0))
        session.add(IssueMetrics(issue_id=second.id, suspect_deploy_id=search.id, status_since=T0))
        for hours, user in (("sleep", "U1"), ("business", "U2"), ("sleep", "U2")):
            session.add(
                PageSent(
                    issue_id=first.id,
                    target_kind="user",
                    target=user,
                    user_id=user,
                    hours=hours,
                    at=T0 + MIN,
                )
            )
    since, until = T0 - timedelta(days=1), T0 + timedelta(days=1)
    readers = (EVERY_ISSUE, a_channel(), a_person("U1"), a_person("U2"), None)
    for reader in readers:
        for service in (None, "checkout", "search"):
            full = figures(db, since, until, service, audience=reader)
            brief = baseline(db, since, until, service, audience=reader)
            assert brief.filed == full.filed
            assert brief.time_to_acknowledge == full.time_to_acknowledge
            assert brief.time_to_fix == full.time_to_fix
            assert brief.time_to_deploy == full.time_to_deploy
            assert brief.deploys == full.deploys
            assert brief.oncall == full.oncall
    compared = baseline(db, since, until)
    assert (compared.filed, compared.deploys.failed, compared.oncall.total.sleep_hours) == (3, 2, 2)
    assert compared.time_to_fix.count == 2 and compared.time_to_deploy.count == 1
    assert baseline(db, since, until, "search", audience=a_person("U2")).filed == 0
    assert baseline(db, since, until, "search", audience=a_person("U1")).filed == 1


def test_times_by_week_are_the_spreads_of_each_weeks_issues(db: Database) -> None:
    since = T0 - timedelta(days=1)  # Sunday: weeks run Sunday to Sunday from here
    with db.session() as session:
        session.add_all(
            [
                # week 1: acked after 10 and 30 min; one fixed after 60, deployed 20 later
                issue(1, acknowledged_at=T0 + 10 * MIN, fixed_at=T0 + 60 * MIN),
                issue(2, acknowledged_at=T0 + 30 * MIN, deployed_at=T0 + 50 * MIN),
                issue(3, fixed_at=T0 + 20 * MIN, deployed_at=T0 + 40 * MIN),
                # week 3 (the 15th day from `since`): acked after 5 min
                issue(
                    4,
                    created_at=since + timedelta(days=15),
                    acknowledged_at=since + timedelta(days=15) + 5 * MIN,
                ),
                issue(5, created_at=since + timedelta(days=22)),  # after the period
                issue(6, created_at=T0, acknowledged_at=T0 + MIN, exclude_from_metrics=True),
            ]
        )
    weeks = by_week(db, since, since + timedelta(days=17), audience=EVERY_ISSUE)
    assert [w.start for w in weeks] == [since + timedelta(days=d) for d in (0, 7, 14)]
    first, empty, last = weeks
    assert first.time_to_acknowledge == Spread(2, 20 * 60.0, 20 * 60.0, 30 * 60.0)
    # fix: 60 and 20 min; deploy after the fix: 20 min (issue 2 was never fixed)
    assert (first.time_to_fix.count, first.time_to_fix.median) == (2, 40 * 60.0)
    assert first.time_to_fix.p90 == 60 * 60.0
    assert first.time_to_deploy == Spread(1, 20 * 60.0, 20 * 60.0, 20 * 60.0)
    assert empty.time_to_acknowledge == Spread() and empty.time_to_fix == Spread()
    assert last.time_to_acknowledge == Spread(1, 5 * 60.0, 5 * 60.0, 5 * 60.0)
    assert last.time_to_fix.count == 0
