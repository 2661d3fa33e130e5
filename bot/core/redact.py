"""Remove secrets from text before it leaves for a model, and on request customers'
e-mail addresses and phone numbers (the model's door asks by default).

Two layers, both applied to every line:
1. our own patterns, for the shapes we have met and for `label=value` pairs (they keep the
   label and drop the value);
2. Yelp's detect-secrets plugins, a maintained list of vendor key shapes, so a new shape is
   a dependency upgrade rather than a regex we have to hear about first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TypedDict

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString
from detect_secrets.plugins.keyword import DENYLIST, KeywordDetector

MARK = "[REDACTED]"

# Words that, before `:` or `=`, make the value a secret. A prefix and suffix are allowed
# (`aws_secret_access_key`, `DD_APP_KEY`, `TWILIO_AUTH_TOKEN`, `db_password_new`): the
# adversarial `aws_secret_access_key=…` got through when the word had to start the label.
_LABEL = (
    r"[\w.-]*?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|app[_-]?key|"
    r"application[_-]?key|auth[_-]?key|private[_-]?key|signature|credentials?|"
    r"routing[_-]?key|integration[_-]?key|service[_-]?key)[\w-]*"
)

# The PEM block runs on the whole text; its END line is optional, so a block cut short (a
# truncated message) does not leak its body.
PEM = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
    r".*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)",
    re.S,
)

# Shapes that are a secret wherever they appear, as one alternation: one pass over a line
# instead of one per shape.
SHAPES = re.compile(
    "|".join(
        [
            r"\bxox[abposre]-[A-Za-z0-9-]{8,}",  # Slack bot, user and legacy tokens
            r"\bxapp-[A-Za-z0-9-]{8,}",  # Slack app-level tokens
            r"\bsk-[A-Za-z0-9_-]{16,}",  # OpenAI-style keys (sk-, sk-proj-)
            r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{10,}",  # Stripe secret and restricted keys
            r"\bwhsec_[A-Za-z0-9]{20,}",  # Stripe webhook secrets
            r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",  # AWS access key ids
            r"\bgh[pousr]_[A-Za-z0-9]{20,}",  # GitHub tokens
            r"\bgithub_pat_[A-Za-z0-9_]{22,}",  # GitHub fine-grained tokens
            r"\bAIza[0-9A-Za-z_-]{35}",  # Google API keys
            r"\bnpm_[A-Za-z0-9]{36}\b",  # npm tokens
            r"\bSG\.[\w-]{16,}\.[\w-]{16,}",  # SendGrid keys
            r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}",  # JWTs
            r"\bATATT[A-Za-z0-9_=-]{20,}",  # Atlassian (Jira, Confluence) API tokens
        ]
    )
)

# (pattern, replacement): the replacement keeps the label and drops the secret.
RULES: list[tuple[re.Pattern[str], str]] = [
    (SHAPES, MARK),
    # Slack webhook URLs: the path is the credential; the host says what it was.
    (re.compile(r"(hooks\.slack\.com/)(?:services|workflows|triggers)/[\w/-]+"), rf"\1{MARK}"),
    (re.compile(r"(?i)\b(bearer|basic|geniekey)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {MARK}"),
    (
        re.compile(
            r"(?i)\b(authorization\s*[:=]\s*)(?:(?:bearer|basic|token|geniekey)\s+)?[^\s,;]+"
        ),
        rf"\1{MARK}",
    ),
    # A pager's key after its name (firebell.yml targets, `pagerduty: <key>`): a PagerDuty
    # routing or integration key is 32 letters and digits, an Opsgenie API key a UUID.
    # Only here: bare, the same shapes are W3C trace ids and request ids, which stay.
    (
        re.compile(
            r"(?i)\b((?:pagerduty|opsgenie)[\w-]*[\"']?\s*[:=]\s*[\"']?)"
            r"(?:[0-9a-z]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"
        ),
        rf"\1{MARK}",
    ),
    # Zendesk API tokens: `agent@example.com/token:<token>` (Basic auth's user:password).
    (re.compile(r"(/token:)[A-Za-z0-9]{16,}"), rf"\1{MARK}"),
    (re.compile(r"(://[^/\s:@]*:)[^@\s/]+(@)"), rf"\1{MARK}\2"),  # credentials in URLs
    # curl -u user:password / --user user:password: the user stays, the password goes.
    (re.compile(r"((?:^|\s)(?:-u|--user)[ =]?['\"]?[^\s:'\"]+:)[^\s'\"]+"), rf"\1{MARK}"),
    # A label written as two words: "secret key: …", "API key = …", "auth token …".
    (
        re.compile(
            r"(?i)\b((?:secret|api|access|private|signing|auth|client|routing|integration)[ _-]"
            r"(?:key|token|secret)s?\s*[:=]?\s*)[\"']?[^\s\"',;]{6,}"
        ),
        rf"\1{MARK}",
    ),
]

# `label: value`, `"label": "value"`, `LABEL='value'`, `label = value`. Only tried on lines
# that name a label word: the lazy prefix makes it the slowest pattern by far.
LABELLED = re.compile(
    rf"(?i)(?<![A-Za-z0-9])({_LABEL})([\"']?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;\"']+)"
)
_LABEL_HINT = re.compile(r"(?i)pass|pwd|secret|token|key|signature|credential")
# The keyword plugin's own word list (lowercase regexes), searched in the lowercased line:
# case-insensitive matching made the hint cost as much as the patterns it saves.
_KEYWORD_HINT = re.compile("|".join(DENYLIST))

# Plugins we leave out, and why:
# - IPPublicDetector: an IP address is not a credential, and network incidents need them.
# - HexHighEntropyString: it flags every commit SHA and W3C trace id, which reviews cite to
#   tie a deploy or a trace to the incident. Hex secrets (Datadog keys, Twilio auth tokens)
#   are caught by their labels above instead.
# - Base64HighEntropyString: run by `_high_entropy` below, not through the plugin list.
_LEFT_OUT = {"IPPublicDetector", "HexHighEntropyString", "Base64HighEntropyString"}

# Runs of the base64 charset, as the entropy plugin sees them when strings are unquoted; `=`
# only as padding, so `key=value` is two tokens.
_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{20,}={0,2}")
_TAIL = re.compile(r"[A-Za-z0-9+/_.=-]*")


@cache
def _plugins() -> tuple[BasePlugin, ...]:
    # Every plugin shipped with the installed detect-secrets, so an upgrade adds its new
    # shapes here. Built on first use, not at import.
    classes: Iterable[type[BasePlugin]] = get_mapping_from_secret_type_to_class().values()
    return tuple(cls() for cls in classes if cls.__name__ not in _LEFT_OUT)


@cache
def _entropy() -> Base64HighEntropyString:
    return Base64HighEntropyString()  # the plugin's default limit, 4.5 bits a character


Span = tuple[int, int]


def _secret_span(match: re.Match[str]) -> Span:
    """The part of a plugin's match to blank.

    A plugin's last capturing group is the value when it ends the match (`aws…key="(…)"`,
    `://user:(…)@`): blank it and keep the label. Otherwise the group is only a prefix
    (`(ghp|gho)_…`, `(glpat|…)-…`, which is all `analyze_string` reports for those) and the
    whole match goes, with the token characters that follow it (the JWT pattern is lazy and
    stops before the signature).
    """
    groups = [i for i in range(1, match.re.groups + 1) if match.group(i)]
    if groups and match.end(groups[-1]) >= match.end() - 1:
        return match.span(groups[-1])
    tail = _TAIL.match(match.string, match.end())
    return match.start(), tail.end() if tail else match.end()


def _library_spans(line: str) -> Iterator[Span]:
    """Where detect-secrets' plugins find secrets in one line.

    `analyze_string`, not `analyze_line` or `scan_line`: those may *verify* a finding by
    sending it to the vendor's API (when the process-wide settings enable verification),
    which is the leak we are here to prevent; `analyze_string` only matches. Calling the
    plugins directly also keeps us off detect-secrets' global settings object.
    """
    keywords = _KEYWORD_HINT.search(line.lower()) is not None
    for plugin in _plugins():
        if isinstance(plugin, RegexBasedDetector):
            # The plugin decides (the JWT one also checks the token decodes); its own
            # `denylist` patterns then say where, since the values it reports can be a
            # fragment of the secret.
            if next(iter(plugin.analyze_string(line)), None) is not None:
                for pattern in plugin.denylist:
                    yield from (_secret_span(match) for match in pattern.finditer(line))
        # Every keyword pattern contains a denylist word; skipping lines without one saves
        # over half the time (the keyword patterns are the library's slowest).
        elif keywords or not isinstance(plugin, KeywordDetector):
            for value in {value.strip() for value in plugin.analyze_string(line)}:
                if value and MARK not in value:
                    bounded = rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])"
                    yield from (match.span() for match in re.finditer(bounded, line))


def _high_entropy(line: str) -> Iterator[Span]:
    """Unquoted random-looking strings (`key=wJalrXUtnFEMI/K7MDENG/…`).

    The plugin only looks inside quotes; in chat text secrets are rarely quoted. Shannon
    entropy above 4.5 bits a character needs at least 23 distinct characters, so words,
    Slack ids, INC keys, timestamps, UUIDs and hex ids (16 symbols, 4 bits at most) never
    reach it. URL paths are judged a segment at a time: a whole Slack permalink path
    (`com/archives/C07QK2M3XYZ/p1736…`) scores 4.53, its segments far less.
    """
    plugin = _entropy()
    for match in _TOKEN.finditer(line):
        start, token = match.start(), match.group()
        # A path follows a host (`example.com/…`) or starts with a slash (`://…`, `/runbooks/…`).
        pathlike = token.startswith("/") or line[start - 1 : start] == "."
        parts = token.split("/") if pathlike else [token]
        for part in parts:
            value = part.rstrip("=")
            if len(value) >= 20 and plugin.calculate_shannon_entropy(value) > plugin.entropy_limit:
                yield start, start + len(part)
            start += len(part) + 1


def _blank(line: str, spans: set[Span]) -> str:
    # Merge overlapping spans, then replace from the right so earlier offsets stay valid.
    merged: list[list[int]] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    for begin, end in reversed(merged):
        line = line[:begin] + MARK + line[end:]
    return line


def _redact_line(line: str) -> str:
    for pattern, replacement in RULES:
        line = pattern.sub(replacement, line)
    if _LABEL_HINT.search(line):
        line = LABELLED.sub(rf"\1\2{MARK}", line)
    # Keyword plugins report the first match of each pattern only: repeat while they find more.
    for _ in range(3):
        spans = {
            (begin, end)
            for begin, end in (*_library_spans(line), *_high_entropy(line))
            if end > begin and line[begin:end] != MARK
        }
        if not spans:
            break
        line = _blank(line, spans)
    return line


# -- personal contact details: who a customer is, not what went wrong ---------------------
class Contacts(TypedDict):
    """Which contact details `redact` removes besides secrets."""

    emails: bool
    phones: bool


EMAIL_MARK, PHONE_MARK = "[EMAIL]", "[PHONE]"
EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")

# A phone number is told by how it is written, never by digits alone: a bare run of digits
# is an order id, a Slack ts, an epoch or a port, and stays. Written as a phone number:
# - international, after `+` (`+44 20 7946 0958`, `+49 30 901820`, `+1 (555) 123-4567`,
#   `+44 (0)20 …`, `+4930901820`);
# - North American, area code in brackets or 3-3-4 with one separator (`(555) 123-4567`,
#   `555-123-4567`, `555.123.4567`);
# - national with a trunk 0 and separated groups (`020 7946 0958`, `030 901820`, `07700-900123`).
# The separators are space, `-`, `.` (not `:`, `/` or `,`), so times, dates, versions
# (`2.3.1`), IPs, `HTTP 500` and `1,200 users` never match; a match must also hold at most
# 15 digits (E.164) and at least 8 after `+`, 9 after a trunk 0 (`05-01-2026` is a date).
_NOT_BEFORE = r"(?<![\w.+/-])"
_NOT_AFTER = r"(?![\w]|[.:/-]\d)"
PHONE = re.compile(
    "|".join(
        [
            # Digit runs are possessive (`{…}+`): a long run is never re-split (no backtracking).
            r"(?<![\w+])\+\d{1,3}+(?:[ .-]?\(0\))?(?:[ .-]?\(\d{1,5}+\)|[ .-]?\d{1,12}+){1,5}"
            + _NOT_AFTER,
            _NOT_BEFORE + r"\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}" + _NOT_AFTER,
            _NOT_BEFORE + r"\d{3}([-. ])\d{3}\1\d{4}" + _NOT_AFTER,
            _NOT_BEFORE + r"0\d{1,4}+(?:[ -]\d{2,8}+){1,3}" + _NOT_AFTER,
        ]
    )
)


def _phone(match: re.Match[str]) -> str:
    written = match.group()
    digits = sum(c.isdigit() for c in written)
    fewest = {"+": 8, "0": 9}.get(written[0], 10)  # `+1 500`, `05-01-2026`: not phones
    return PHONE_MARK if fewest <= digits <= 15 else written


def redact(text: str, *, emails: bool = False, phones: bool = False) -> str:
    """`text` without secrets; without e-mail addresses and phone numbers when asked (the
    model's door asks by default: `review.redact_emails`, `review.redact_phone_numbers`)."""
    # Multi-line patterns (PEM blocks) first, on the whole text; then line by line.
    text = PEM.sub(MARK, text)
    text = "\n".join(_redact_line(line) for line in text.split("\n"))
    if emails:
        text = EMAIL.sub(EMAIL_MARK, text)
    return PHONE.sub(_phone, text) if phones else text
