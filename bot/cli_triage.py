"""`firebell triage tune [--replay] [--apply]`: the duplicate gate's threshold re-tuned
on this installation's answered suggestions (bot/triage/tune.py), or on its labelled
history asked again of the finder as it is now (--replay, bot/triage/replay.py),
stored with --apply. `firebell triage embed`: the multilingual model reads the titles
of issues filed before it was installed (bot/triage/semantic.py)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from bot.config import load_settings
from bot.serving.startup import check_database
from bot.triage import semantic
from bot.triage.gate import THRESHOLD
from bot.triage.replay import labelled, replayed, unlabelled
from bot.triage.search import SearchIndex
from bot.triage.tune import NEEDED, WRONG_AT_MOST, Figures, answered, figures, tuned
from bot.triage.tuned import store_threshold, stored_threshold
from storage.db import Database


def _line(name: str, found: Figures) -> str:
    return (
        f"{name} threshold {found.threshold:.3f}: {found.shown} shown, "
        f"{found.wrong:.1%} wrong, {found.recall:.1%} of true duplicates shown"
    )


def tune(args: argparse.Namespace) -> int:
    url = load_settings("none").database_url
    check_database(url, must_exist=True)
    db = Database(url)
    try:
        with db.session() as session:
            if args.replay:
                labels = labelled(session)
                print(
                    f"replaying {len(labels)} answered or merged reports and "
                    f"{len(unlabelled(session, labels))} that nobody merged (counted as "
                    "having no duplicate) with the finder as it is now"
                )
                answers = replayed(session, SearchIndex(db))
                what = "replayed answers"
            else:
                answers = answered(session)
                what = "answered suggestions"
            stored = stored_threshold(session)
            if len(answers) < NEEDED:
                print(f"{len(answers)} {what}; at least {NEEDED} are needed (nothing changed)")
                return 1 if args.apply else 0
            current = THRESHOLD if stored is None else stored
            merged = sum(a.true for a in answers)
            print(
                f"{len(answers)} {what}: {merged} merged, {len(answers) - merged} not a duplicate"
            )
            by_score = sum(a.from_score for a in answers)
            if by_score:
                print(
                    f"{by_score} stored without the gate's confidence (before migration "
                    "0017): their score stands in"
                )
            where = "tuned, stored" if stored is not None else "shipped default"
            print(_line(f"current ({where})", figures(answers, current)))
            best = tuned(answers)
            if best is None:
                print(f"no threshold keeps wrong suggestions at {WRONG_AT_MOST:.0%} or fewer")
                return 1 if args.apply else 0
            print(_line(f"tuned (wrong at most {WRONG_AT_MOST:.0%})", best))
            if not args.apply:
                print("run with --apply to store it")
                return 0
            store_threshold(session, best.threshold, datetime.now(UTC))
        print(f"stored: a running Firebell uses {best.threshold:.3f} within a minute")
        return 0
    finally:
        db.dispose()


EMBED_BATCH = 500  # a commit every 500 titles (about 6 s): an interrupted run keeps them


def embed(args: argparse.Namespace) -> int:
    url = load_settings("none").database_url
    check_database(url, must_exist=True)
    if not semantic.available():
        print("the multilingual model is not installed: pip install 'firebell[semantic]'")
        return 1
    db = Database(url)
    stored = 0
    try:
        while args.at_most is None or stored < args.at_most:
            batch = EMBED_BATCH if args.at_most is None else min(EMBED_BATCH, args.at_most - stored)
            with db.session() as session:
                count = semantic.store_missing(session, batch)
            stored += count
            if count:
                print(f"{stored} titles read and stored")
            if count < batch:
                break
    finally:
        db.dispose()
    print(f"done: {stored} stored; restart Firebell to search all of them by meaning")
    return 0
