"""`firebell serve | socket | demo | playground | migrate | backup | check-config | deploy |
review export | triage tune [--replay] | triage embed`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.errors import ConfigError, StartupError

if TYPE_CHECKING:
    from bot.config import Mode, Settings

log = logging.getLogger("firebell")


# In-flight requests get this long after SIGTERM; the outbox finishes its batch in
# about as long (OutboxWorker.stop), so the process is gone within 5 seconds.
SHUTDOWN_SECONDS = 1.5


def load_settings(mode: Mode) -> Settings:
    """bot.config's, imported when a command runs: `firebell` starts with the collector
    off (see main), and pydantic and SQLAlchemy are most of what it imports."""
    from bot.config import load_settings as load

    return load(mode)


def _collect_again() -> None:
    """Start-up is over: what it made lives as long as the process (modules, classes,
    the app), so it is moved out of the collector's sight for good and the collector
    turns back on. Walking those objects again and again while importing cost about a
    tenth of start-up (bench/start.py), and every full collection later walked them too:
    unfrozen, each took 100-300 ms with the loop stopped, the tail of every Slack ack in
    flight (bench/ack_latency.py). Not in create_app: tests build many apps in one
    process, and frozen objects are never collected."""
    gc.freeze()
    gc.enable()


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import create_app
    from bot.core.access_log import MaskingAccessLogger
    from bot.serving.notify import ready
    from bot.serving.startup import check_database, check_port, check_slack_token
    from storage.owner import hold_shared

    settings = load_settings("http")
    check_port(args.host, args.port)
    check_database(settings.database_url)
    check_slack_token(settings)
    hold_shared(settings.database_url)  # move-data waits for every serving process
    firebell = create_app(settings)
    _collect_again()
    log.info("Firebell listening on http://%s:%s/slack/events", args.host, args.port)
    # The webhooks accept `?token=…` (Sentry cannot send headers): keep it out of the log.
    web.run_app(
        firebell.web_app(),
        host=args.host,
        port=args.port,
        print=ready,  # called once listening: systemd's Type=notify is told READY=1
        access_log_class=MaskingAccessLogger,
        shutdown_timeout=SHUTDOWN_SECONDS,
    )
    return 0


def _socket(args: argparse.Namespace) -> int:
    from bot.serving.startup import (
        check_app_token,
        check_database,
        check_port,
        check_slack_token,
    )
    from storage.owner import hold_shared

    settings = load_settings("socket")
    check_port(args.host, args.port)
    check_database(settings.database_url)
    check_slack_token(settings)
    check_app_token(settings)
    hold_shared(settings.database_url)
    # Imported once the checks pass: a bad start is told in a second, not after the app loads.
    from bot.app import create_app
    from bot.serving.socket_mode import run_socket_mode

    firebell = create_app(settings)
    _collect_again()
    asyncio.run(run_socket_mode(firebell, args.host, args.port))
    return 0


def _move_data(args: argparse.Namespace) -> int:
    from bot.app import TIMELINE_KINDS
    from bot.core.timeline import KINDS
    from bot.triage.search import SearchIndex
    from storage.move_data import MoveRefused, move

    settings = load_settings("none")  # only DATABASE_URL is needed, no Slack settings
    KINDS.register(*TIMELINE_KINDS)  # the search document reads which kinds are searched
    # A failed batch insert makes psycopg warn as it drops its pipeline: the refusal
    # below already says what failed, in one line.
    logging.getLogger("psycopg").setLevel(logging.ERROR)
    try:
        move(settings.database_url, args.to, lambda db: SearchIndex(db).reindex_missing())
    except MoveRefused as exc:  # a bad URL, an unreachable or unfit database: one line
        print(f"firebell: {exc}", file=sys.stderr)
        return 2
    return 0


def _check_config(args: argparse.Namespace) -> int:
    """Everything start-up reads, validated, without starting anything; every problem
    is reported, not only the first."""
    from bot.config import load_config, run_mode
    from bot.integrations.jira_check import report_jira
    from bot.playbooks.loader import load_playbooks
    from bot.sla.explain import sla_table

    settings = load_settings("none")
    mode, why = run_mode(settings, args.mode)
    problems: list[str] = []
    try:
        load_settings(mode)
    except ConfigError as exc:
        problems += str(exc).splitlines()
    try:
        config = load_config(settings.firebell_config)
        playbooks = load_playbooks(config.playbooks_dir)
    except ConfigError as exc:
        problems += str(exc).splitlines()
    print(f"assuming {why}", file=sys.stderr if problems else sys.stdout)
    if problems:
        raise ConfigError("\n".join(problems))
    where = settings.firebell_config or "defaults (no FIREBELL_CONFIG)"
    print(f"environment for {mode} mode: ok")
    print(f"firebell.yml: {where}: ok")
    print(f"playbooks: {', '.join(sorted(playbooks.by_name))}: ok")
    print(
        f"escalation policies: {len(config.escalation_policies)}, schedules: "
        f"{len(config.schedules)}, alert routes: {len(config.alert_routes)}"
    )
    if settings.web_enabled and settings.firebell_session_key is None:
        from cryptography.fernet import Fernet

        print(
            "web app: FIREBELL_SESSION_KEY is missing; sessions end at each restart until "
            f"it is set. A fresh key: FIREBELL_SESSION_KEY={Fernet.generate_key().decode()}"
        )
    elif settings.web_enabled:
        print(f"web app: on at {settings.firebell_base_url or 'the address it is reached at'}: ok")
    report_jira(config, asked=args.jira)  # --jira: does Jira take the mapping?
    if args.explain:
        print("\nSLA policies in force (firebell.yml merged over the defaults):")
        print("\n".join(sla_table(config)))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.demo.script import run_demo

    return asyncio.run(run_demo(serve=args.serve, port=args.port))


def _playground(args: argparse.Namespace) -> int:
    from bot.demo.playground import run_playground

    return asyncio.run(
        run_playground(args.config, host=args.host, port=args.port, database_url=args.database_url)
    )


def _migrate(args: argparse.Namespace) -> int:
    from bot.serving.startup import check_database
    from storage.db import Database
    from storage.migrate import UnknownRevision, migrate_to, upgrade

    settings = load_settings("none")
    check_database(settings.database_url)
    db = Database(settings.database_url)
    try:
        if args.to is None:
            upgrade(db)
            print(f"database is up to date: {db.engine.url.render_as_string(hide_password=True)}")
        else:
            print(migrate_to(db, args.to))
    except UnknownRevision as exc:
        print(f"firebell: {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    return 0


def _backup(args: argparse.Namespace) -> int:
    """A copy of the SQLite database, safe while Firebell runs; PostgreSQL: pg_dump."""
    from storage.backup import BackupRefused, backup_sqlite, pg_dump_line, sqlite_path

    url = load_settings("none").database_url
    try:
        path = sqlite_path(url)
        if path is None:
            print(
                "firebell: backup copies SQLite databases; back up PostgreSQL with pg_dump "
                f"(password from PGPASSWORD or ~/.pgpass): {pg_dump_line(url, args.file)}",
                file=sys.stderr,
            )
            return 2
        done = backup_sqlite(path, Path(args.file))
    except BackupRefused as exc:
        print(f"firebell: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {done.target} ({done.size_bytes} bytes, integrity ok)")
    return 0


def _review_export(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from bot.core.errors import FirebellError
    from bot.incidents.queries import issue_by_number
    from bot.reviews.service import review_markdown
    from bot.serving.startup import check_database
    from storage.db import Database
    from storage.issue_key import IssueKey, NoSuchKey, NotAKey
    from storage.models import Review

    try:
        key = IssueKey.parse(args.issue)
    except NotAKey as exc:
        print(f"firebell: {exc}", file=sys.stderr)
        return 2
    except NoSuchKey as exc:
        print(f"firebell: {exc}", file=sys.stderr)
        return 1
    url = load_settings("none").database_url
    check_database(url, must_exist=True)
    db = Database(url)
    try:
        issue = issue_by_number(db, key.number)
        with db.session() as session:
            review = session.exec(select(Review).where(Review.issue_id == issue.id)).first()
        if review is None:
            raise FirebellError(f"{issue.key} has no review yet: `/incident review` drafts one.")
    except FirebellError as exc:
        print(f"firebell: {exc.message}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    text = review_markdown(issue, review)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        print(text)
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from bot.cli_deploy import deploy

    return deploy(args)


def _triage(args: argparse.Namespace) -> int:
    from bot.cli_triage import embed, tune

    return (tune if args.triage_command == "tune" else embed)(args)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("firebell")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="firebell", description="Slack incident-response bot")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    parser.add_argument("--version", action="version", version=f"firebell {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="HTTP mode: Slack posts to /slack/events")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=3000)
    serve.set_defaults(run=_serve)
    socket = sub.add_parser(
        "socket", help="Socket Mode (needs SLACK_APP_TOKEN), with probes, webhooks and the API"
    )
    socket.add_argument("--host", default="0.0.0.0")
    socket.add_argument("--port", type=int, default=3000)
    socket.set_defaults(run=_socket)
    demo = sub.add_parser("demo", help="play an issue end to end against a local Slack sandbox")
    demo.add_argument(
        "--serve",
        action="store_true",
        help="then keep the sandbox and the web app running (sign in as a sandbox user)",
    )
    demo.add_argument("--port", type=int, default=0, help="the web app's port with --serve")
    demo.set_defaults(run=_demo)
    play = sub.add_parser(
        "playground", help="try Firebell in a browser: a local Slack, no workspace"
    )
    play.add_argument("--config", type=Path, help="a firebell.yml to try (read as serve reads it)")
    play.add_argument("--port", type=int, default=3030, help="the page's port (0: any free one)")
    play.add_argument("--host", default="127.0.0.1", help="the address to bind (default loopback)")
    play.add_argument("--database-url", help="default: a temporary SQLite file")
    play.set_defaults(run=_playground)
    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument(
        "--to",
        metavar="REVISION",
        help="up or down to this migration, e.g. 0009 (to roll back before an older release)",
    )
    migrate.set_defaults(run=_migrate)
    backup = sub.add_parser(
        "backup", help="copy the SQLite database to a new file, safe while Firebell runs"
    )
    backup.add_argument("file", help="the file to write; an existing file is never overwritten")
    backup.set_defaults(run=_backup)
    move = sub.add_parser(
        "move-data", help="copy the database (SQLite) into an empty PostgreSQL database"
    )
    move.add_argument("--to", required=True, metavar="URL", help="postgresql+psycopg://…")
    move.set_defaults(run=_move_data)
    check = sub.add_parser(
        "check-config", help="validate the environment, firebell.yml and playbooks"
    )
    check.add_argument(
        "--mode",
        choices=["http", "socket"],
        help="the run mode to check (default: socket if SLACK_APP_TOKEN is set, http if "
        "only SLACK_SIGNING_SECRET is, else socket, the manifest's default)",
    )
    check.add_argument(
        "--explain", action="store_true", help="print the SLA policy in force, per severity"
    )
    check.add_argument("--jira", action="store_true", help="ask Jira whether it takes the mapping")
    check.set_defaults(run=_check_config)
    review = sub.add_parser("review", help="post-incident reviews")
    review_sub = review.add_subparsers(dest="review_command", required=True)
    export = review_sub.add_parser("export", help="write a review as Markdown")
    export.add_argument("issue", help="the issue key, e.g. INC-42")
    export.add_argument("-o", "--output", help="a file to write (default: standard output)")
    export.set_defaults(run=_review_export)
    triage = sub.add_parser("triage", help="duplicate suggestions")
    triage_sub = triage.add_subparsers(dest="triage_command", required=True)
    tune = triage_sub.add_parser(
        "tune", help="re-tune the duplicate threshold on this installation's answers"
    )
    tune.add_argument("--apply", action="store_true", help="store the tuned threshold")
    tune.add_argument(
        "--replay",
        action="store_true",
        help="ask the finder as it is now about every answered or merged report",
    )
    tune.set_defaults(run=_triage)
    embed = triage_sub.add_parser(
        "embed", help="read the titles of issues filed before the multilingual model"
    )
    embed.add_argument("--at-most", type=int, help="stop after this many (default: all)")
    embed.set_defaults(run=_triage)
    deploy = sub.add_parser("deploy", help="record a deploy in a running Firebell (for CI)")
    deploy.add_argument("--service", required=True)
    deploy.add_argument("--version", required=True)
    deploy.add_argument("--environment", default="production")
    deploy.add_argument("--link", help="the release or pipeline URL")
    deploy.add_argument("--fixes", nargs="*", metavar="INC-N", help="issues this deploy fixes")
    deploy.add_argument("--description", help="free text; 'fixes INC-42' in it counts too")
    deploy.add_argument("--time", help="ISO 8601 with a zone (default: now)")
    deploy.add_argument("--url", help="Firebell's base URL (default: $FIREBELL_URL)")
    deploy.add_argument("--token", help="the deploy webhook token ($FIREBELL_DEPLOY_TOKEN)")
    deploy.set_defaults(run=_deploy)
    return parser


def _discard_stdout() -> None:
    """Python's recipe for a closed pipe: point stdout at devnull, or flushing it again
    at exit raises once more."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    # Off while start-up imports and builds (serve and socket turn it back on once
    # built, see _collect_again; every other command at once).
    gc.disable()
    try:
        return _main(argv)
    finally:
        gc.enable()


def _main(argv: list[str] | None) -> int:
    from bot.core.logs import configure_logging

    args = build_parser().parse_args(argv)
    level = "WARNING" if args.command in ("demo", "playground") else args.log_level.upper()
    try:
        configure_logging(level, os.environ.get("LOG_FORMAT", "text").strip().lower())
    except ValueError as exc:
        print(f"firebell: {exc}", file=sys.stderr)
        return 2
    # Alembic announces every plugin at INFO; only its problems are worth a line.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # APScheduler logs every 5-second tick at INFO; its warnings and errors still show.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if args.command not in ("serve", "socket"):
        gc.enable()
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # a reader gone early shows here, not as a traceback at exit
        return code
    except BrokenPipeError:  # `firebell review export INC-1 | head`: head has all it wants
        _discard_stdout()
        return 1
    except ConfigError as exc:
        for line in str(exc).splitlines():
            print(f"firebell: configuration error: {line}", file=sys.stderr)
        return 2
    except StartupError as exc:
        print(f"firebell: cannot start: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
