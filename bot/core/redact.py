"""Remove secrets from text before it leaves for a model."""

from __future__ import annotations

import re

MARK = "[REDACTED]"

# (pattern, replacement): the replacement keeps the label and drops the secret.
RULES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
        MARK,
    ),
    (re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{8,}"), MARK),  # Slack tokens
    (re.compile(r"\bxapp-[A-Za-z0-9-]{8,}"), MARK),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), MARK),  # OpenAI-style keys
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), MARK),  # AWS access key ids
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), MARK),  # GitHub tokens
    (re.compile(r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}"), MARK),  # JWTs
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {MARK}"),
    (
        re.compile(r"(?i)\b(authorization\s*[:=]\s*)(?:(?:bearer|basic|token)\s+)?[^\s,;]+"),
        rf"\1{MARK}",
    ),
    (
        re.compile(
            r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)"
            r"(\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;]+)"
        ),
        rf"\1\2{MARK}",
    ),
    (re.compile(r"(://[^/\s:@]+:)[^@\s/]+(@)"), rf"\1{MARK}\2"),  # credentials in URLs
]
EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")


def redact(text: str, *, emails: bool = False) -> str:
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return EMAIL.sub("[EMAIL]", text) if emails else text
