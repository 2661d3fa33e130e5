"""The optional semantic signal: WordLlama's embeddings read from the installed wheel
(never downloaded), closer for two wordings of one fault than for a look-alike, and
the finder lexical without it."""

from __future__ import annotations

import socket

import pytest

from bot.triage import gate, semantic
from bot.triage.similarity import Report, ranked

pytest.importorskip("wordllama")


@pytest.fixture
def fresh_model():
    semantic.model.cache_clear()
    semantic.vector.cache_clear()
    yield
    semantic.model.cache_clear()
    semantic.vector.cache_clear()


def test_the_model_loads_from_the_package_without_the_network(fresh_model, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the semantic model tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert semantic.available()
    twice = semantic.vector("Customer was charged twice for the June subscription")
    invoices = semantic.vector("Customers received two invoices for June")
    other = semantic.vector("Documents stuck in processing after upload")
    assert twice is not None and invoices is not None and other is not None
    assert semantic.cosine(twice, invoices) > semantic.cosine(twice, other) + 0.2


def test_a_likeness_carries_its_semantic_part_and_the_gate_its_bar(fresh_model) -> None:
    old = Report(1, "Customers received two invoices for June", "billing shows both")
    new = Report(2, "Charged twice this month", "my card was billed twice in June")
    [(_, alike)] = ranked(new, [old])
    assert alike.semantic > 0.2 and alike.score > alike.lexical
    assert gate.threshold() == gate.THRESHOLD_SEMANTIC


def test_turned_off_the_finder_is_lexical(fresh_model, monkeypatch) -> None:
    monkeypatch.setenv("FIREBELL_SEMANTIC", "off")
    assert not semantic.available() and semantic.vector("anything") is None
    old = Report(1, "Customers received two invoices for June")
    new = Report(2, "Two invoices received in June")
    [(_, alike)] = ranked(new, [old])
    assert alike.semantic == 0.0 and alike.score == alike.lexical
    assert gate.threshold() == gate.THRESHOLD
