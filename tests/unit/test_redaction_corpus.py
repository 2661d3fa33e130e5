"""A corpus of secret shapes, each in the kind of text people paste into an incident.

Every value is fake but shaped like the real thing. Prefixes are joined at run time so that
secret scanners (GitHub push protection, detect-secrets in CI) do not flag this file.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.ai.prompt import Facts, Line, build_prompt
from bot.core.redact import MARK, redact
from bot.reviews.content import INSTRUCTIONS

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LOWER = UPPER.lower()
DIGITS = "0123456789"
ALNUM = UPPER + LOWER + DIGITS
HEX = DIGITS + "abcdef"
B64 = ALNUM + "+/"
_rng = random.Random(20260105)  # fixed: the corpus is the same on every run


def fake(n: int, alphabet: str = ALNUM) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def pem(kind: str) -> tuple[str, list[str]]:
    body = [fake(64, B64) for _ in range(5)] + [fake(20, B64) + "=="]
    label = f"{kind} PRIVATE KEY".strip()
    block = "\n".join(["-----BEGIN " + label + "-----", *body, "-----END " + label + "-----"])
    return block, body


@dataclass(frozen=True)
class Case:
    name: str
    text: str  # the secret in its surroundings
    secrets: tuple[str, ...]  # none of these may survive
    kept: str = ""  # a label that must survive, e.g. `password=[REDACTED]`


def corpus() -> list[Case]:
    aws_id = "AK" + "IA" + fake(16, UPPER + DIGITS)
    aws_secret, bare = fake(40, B64), fake(40, B64)
    rsa, rsa_body = pem("RSA")
    ec, ec_body = pem("EC")
    ssh, ssh_body = pem("OPENSSH")
    pkcs8, pkcs8_body = pem("")
    stripe_live, stripe_test = "sk_" + "live_" + fake(24), "sk_" + "test_" + fake(24)
    stripe_restricted = "rk_" + "live_" + fake(24)
    google = "AI" + "za" + fake(35, ALNUM + "-_")
    sendgrid = "SG" + "." + fake(22) + "." + fake(43)
    twilio_sid, twilio_token = "A" + "C" + fake(32, HEX), fake(32, HEX)
    npm, npm_rc = "np" + "m_" + fake(36), "np" + "m_" + fake(36)
    dd_api, dd_app = fake(32, HEX), fake(40, HEX)
    xoxb = "xo" + "xb-" + fake(12, DIGITS) + "-" + fake(13, DIGITS) + "-" + fake(24)
    xoxp = "xo" + "xp-" + fake(12, DIGITS) + "-" + fake(12, DIGITS) + "-" + fake(32, HEX)
    xapp = "xa" + "pp-1-A" + fake(10, UPPER + DIGITS) + "-" + fake(13, DIGITS) + "-" + fake(64, HEX)
    hook_path = "T" + fake(10, UPPER + DIGITS) + "/B" + fake(10, UPPER + DIGITS) + "/" + fake(24)
    ghp, gho = "gh" + "p_" + fake(36), "gh" + "o_" + fake(36)
    github_pat = "github" + "_pat_" + fake(22) + "_" + fake(59)
    openai_old = "sk" + "-" + fake(20) + "T3Blbk" + "FJ" + fake(20)
    openai_project = "sk" + "-proj-" + fake(48, ALNUM + "-_")
    jwt = "ey" + "J" + fake(30) + ".ey" + "J" + fake(60) + "." + fake(43, ALNUM + "-_")
    bearer = fake(40, ALNUM + "._-")
    basic = "dXNlcjpjb3JyZWN0LWhvcnNlLWJhdHRlcnktc3RhcGxl"  # user:correct-horse-battery-staple
    gitlab = "gl" + "pat-" + fake(20, ALNUM + "_-")
    # Pagers: a PagerDuty routing/integration key is 32 letters and digits (the same shape
    # as a W3C trace id, so only its label gives it away); an Opsgenie API key is a UUID.
    pd_routing, pd_integration, pd_yaml = fake(32, HEX), fake(32, LOWER + DIGITS), fake(32, HEX)
    genie = "-".join(fake(n, HEX) for n in (8, 4, 4, 4, 12))
    genie_yaml = "-".join(fake(n, HEX) for n in (8, 4, 4, 4, 12))
    hook_json = "T" + fake(10, UPPER + DIGITS) + "/B" + fake(10, UPPER + DIGITS) + "/" + fake(24)
    zendesk = fake(40)
    atlassian = "ATA" + "TT" + fake(180, ALNUM + "_-") + "=" + fake(8, HEX.upper())
    pagers = [
        Case(
            "pagerduty routing key, events api body",
            '{"routing_key": "' + pd_routing + '", "event_action": "trigger"}',
            (pd_routing,),
            kept='"event_action": "trigger"',
        ),
        Case(
            "pagerduty integration key, env",
            f"PAGERDUTY_INTEGRATION_KEY={pd_integration} in the old bot's .env",
            (pd_integration,),
        ),
        Case(
            "pagerduty key, firebell.yml target",
            f"steps:\n  - targets: [pagerduty: {pd_yaml}]",
            (pd_yaml,),
            kept="pagerduty: [REDACTED]",
        ),
        Case(
            "opsgenie api key, header",
            f"curl -H 'Authorization: GenieKey {genie}' https://api.opsgenie.com/v2/alerts",
            (genie,),
        ),
        Case(
            "opsgenie api key, firebell.yml target",
            f"- opsgenie: {genie_yaml}",
            (genie_yaml,),
            kept="opsgenie: [REDACTED]",
        ),
        Case(
            "slack webhook, json",
            '{"url": "https://hooks.slack.com/services/' + hook_json + '"}',
            (hook_json.split("/")[-1],),
        ),
        Case(
            "zendesk api token",
            f"curl https://acme.zendesk.com/api/v2/tickets.json -u agent@acme.com/token:{zendesk}",
            (zendesk,),
        ),
        Case("jira api token", f"JIRA_API_TOKEN={atlassian}", (atlassian,)),
        Case("atlassian token, bare", f"the jira script used {atlassian} (rotated)", (atlassian,)),
    ]
    return [
        *pagers,
        Case("aws key id", f"Rotated the deploy user's key {aws_id} after the leak.", (aws_id,)),
        Case(
            "aws secret, the adversarial case",
            "Repro: aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY in the env",
            ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "bPxRfiCYEXAMPLEKEY"),
            kept="aws_secret_access_key=[REDACTED]",
        ),
        Case(
            "aws secret, yaml",
            f'deploy.yml had AWS_SECRET_ACCESS_KEY: "{aws_secret}"',
            (aws_secret,),
        ),
        # No label at all: only the entropy check can see it.
        Case("aws secret, bare", f"someone pasted {bare} into #ops by mistake", (bare,)),
        Case(
            "aws secret, a line of its own", f"pasted in #ops:\n{bare[::-1]}\noops", (bare[::-1],)
        ),
        Case("pem rsa", f"The deploy key was in the ticket:\n{rsa}\nplease rotate", (*rsa_body,)),
        Case("pem ec", f"{ec}\n(found in the debug bundle)", (*ec_body,)),
        Case("pem openssh", f"bastion key follows\n{ssh}", (*ssh_body,)),
        Case(
            "pem pkcs8, escaped in json",
            '{"private_key": "' + pkcs8.replace("\n", "\\n") + '", "client_email": "x"}',
            (*pkcs8_body,),
        ),
        Case("stripe live", f"charges failed with key {stripe_live}", (stripe_live,)),
        Case("stripe test", f"staging uses {stripe_test} since Monday", (stripe_test,)),
        Case(
            "stripe restricted",
            f"the reporting job's key {stripe_restricted}",
            (stripe_restricted,),
        ),
        Case("google api key", f"Maps calls use {google} (prod)", (google,)),
        Case("sendgrid", f"mail relay key: {sendgrid}", (sendgrid,)),
        # Twilio SIDs and GitLab tokens: only detect-secrets knows these shapes.
        Case("twilio sid", f"SMS provider account {twilio_sid} was suspended", (twilio_sid,)),
        Case(
            "twilio auth token",
            f"TWILIO_AUTH_TOKEN={twilio_token} set on the worker",
            (twilio_token,),
            kept="TWILIO_AUTH_TOKEN=[REDACTED]",
        ),
        Case("npm token", f"CI publishes with {npm} from the vault", (npm,)),
        Case("npmrc", f"//registry.npmjs.org/:_authToken={npm_rc}", (npm_rc,)),
        Case("datadog api key", f"agent config DD_API_KEY={dd_api} restarted", (dd_api,)),
        Case("datadog app key", f'curl -H "DD-APPLICATION-KEY: {dd_app}" ...', (dd_app,)),
        Case("slack bot token", f"the bot token {xoxb} was posted in #general", (xoxb,)),
        Case("slack user token", f"legacy script used {xoxp}", (xoxp,)),
        Case("slack app token", f"socket mode: {xapp}", (xapp,)),
        Case(
            "slack webhook",
            f"alerts post to https://hooks.slack.com/services/{hook_path} (#alerts)",
            (hook_path, hook_path.split("/")[-1]),
        ),
        Case("github classic", f"export GITHUB_TOKEN={ghp}", (ghp,)),
        Case("github oauth", f"the app's token {gho} expired", (gho,)),
        Case("github fine-grained", f"{github_pat} in CI", (github_pat,)),
        Case("openai legacy", f"OPENAI key {openai_old}", (openai_old,)),
        Case("openai project", f"new key {openai_project} works", (openai_project,)),
        Case("jwt", f"the failing request carried {jwt} in a cookie", (jwt, jwt.split(".")[2])),
        Case("bearer", f"Authorization: Bearer {bearer}", (bearer,), kept="Authorization:"),
        Case("basic", f"curl -H 'Authorization: Basic {basic}' https://api.example.com", (basic,)),
        Case(
            "password in url",
            "DATABASE_URL=postgres://app:Tr0ub4dor-3@db.internal:5432/app",
            ("Tr0ub4dor-3",),
            kept="app:[REDACTED]@db.internal",
        ),
        Case(
            "redis password in url", "redis://:s3cr3t-redis-pw@cache:6379/0", ("s3cr3t-redis-pw",)
        ),
        Case("secret=", "we saw secret=hunter2hunter2 in the logs", ("hunter2hunter2",)),
        Case(
            "password: double quotes",
            'config says password: "correct horse battery staple"',
            ("correct horse", "battery staple"),
            kept="password: [REDACTED]",
        ),
        Case("api_key = single quotes", "api_key = 'q9-w8-e7-r6-t5'", ("q9-w8-e7-r6-t5",)),
        Case(
            "json client_secret",
            '{"client_id": "checkout", "client_secret": "Zr8-Lq2-Vx5-Nm0"}',
            ("Zr8-Lq2-Vx5-Nm0",),
            kept='"client_id": "checkout"',
        ),
        Case(
            "yaml db_password", "  db_password: pl41n-t3xt-pw\n  db_user: app", ("pl41n-t3xt-pw",)
        ),
        Case(
            "query token",
            "https://firebell.example.com/webhooks/sentry?token=wh-tok-7731",
            ("wh-tok-7731",),
            kept="/webhooks/sentry?token=[REDACTED]",
        ),
        Case("x-api-key header", "X-Api-Key: 9Qw2-Er4t-Yu6i", ("9Qw2-Er4t-Yu6i",)),
        Case("gitlab", f"runner registered with {gitlab}", (gitlab,)),
        Case(
            "curl basic auth",
            "reproduce with curl -u admin:S3cr3tPass! https://api.internal/health",
            ("S3cr3tPass!",),
            kept="-u admin:[REDACTED]",
        ),
        Case(
            "two-word label",
            "the secret key: 9f8a7b6c5d4e3f2a1b0c was rotated",
            ("9f8a7b6c5d4e3f2a1b0c",),
        ),
    ]


CASES = corpus()


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_no_secret_survives_redaction(case: Case) -> None:
    cleaned = redact(case.text)
    for secret in case.secrets:
        assert secret not in cleaned, (secret, cleaned)
        assert secret[-12:] not in cleaned, (secret, cleaned)  # nor a fragment of it
    assert MARK in cleaned
    assert case.kept in cleaned, cleaned


def facts_with(text: str) -> Facts:
    return Facts(
        issue={
            "key": "INC-42",
            "title": "Checkout down",
            "created_at": "2026-01-05 09:00 UTC",
            "description": text,
        },
        sla={"time_to_acknowledge": "4m"},
        answers={"root-cause": text},
        participants={"U0000002": "commander"},
        lines=[
            Line(START, "<@U0000002>", "status changed to Investigating", True, "status_changed"),
            Line(START + timedelta(minutes=3), "<@U0000003>", text, False),
        ],
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_no_secret_reaches_the_prompt(case: Case) -> None:
    prompt = build_prompt(facts_with(case.text), budget=8000, instructions=INSTRUCTIONS)
    sent = "\n".join(message["content"] for message in prompt.messages)
    for secret in case.secrets:
        assert secret not in sent, (secret, sent)
        assert secret[-12:] not in sent, (secret, sent)
        # The head is JSON: a secret must not survive as its escaped form either.
        assert secret.replace("/", "\\/") not in sent


ORDINARY = [
    "The checkout service returned 502s for 14 minutes after the 09:12 deploy; we rolled back.",
    "Dashboard: https://grafana.example.com/d/Xk3j9LmQz/checkout-overview?orgId=1&from=now-6h",
    "Thread: https://acme.slack.com/archives/C07QK2M3XYZ/p1736067600123456",
    "<@U0000002> took command of INC-42 at 2026-01-05T09:14:03Z",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7",
    "deployed a94a8fe5ccb19ba61c4c0873d391e987982fbbd3 to eu-west-1",
    "request 3f2b6c1e-9a4d-4e8b-b1c7-5d0e2f6a8b9c failed; the edge at 203.0.113.7 timed out",
    "/runbooks/payments/checkout-latency-high-p99-after-deploy says to drain the pool",
    "Reset the password reset flow: users could not log in (the token endpoint was down).",
    "PagerDuty: triggered firebell-INC-42 at 09:12; Opsgenie alert closed by <@U0000003>",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_incident_text_survives(text: str) -> None:
    assert redact(text) == text
    prompt = build_prompt(facts_with(text), budget=8000, instructions=INSTRUCTIONS)
    assert text in prompt.messages[1]["content"]


def test_a_pem_block_cut_short_does_not_leak_its_body() -> None:
    block, body = pem("RSA")
    cut = block[: block.index(body[3])]  # a truncated message: no END line
    assert all(line not in redact(cut) for line in body[:3])


def _prompt(lines: int) -> str:
    return "\n".join(
        f"2026-01-05 09:{i % 60:02d} <@U000000{i % 9}>: {ORDINARY[i % len(ORDINARY)]} "
        f"api_key = 'q9-w8-{i}'"
        for i in range(lines)
    )


def _fastest(text: str) -> float:
    """The fastest of three runs: the one least disturbed by the rest of the machine."""
    times = []
    for _ in range(3):
        began = time.perf_counter()
        redact(text)
        times.append(time.perf_counter() - began)
    return min(times)


def test_a_prompt_of_8000_tokens_is_redacted_in_time_linear_in_its_length() -> None:
    """Not a bound in seconds (that flakes on a loaded machine; bench/ measures speed):
    four times the text takes about four times as long, never the sixteen of a
    pattern that backtracks quadratically."""
    text = _prompt(320)
    assert len(text) >= 32_000  # about 8,000 tokens
    cleaned = redact(text)
    assert "q9-w8-" not in cleaned
    ratio = _fastest(_prompt(320)) / _fastest(_prompt(80))
    assert ratio < 10, f"4x the text took {ratio:.1f}x as long"
