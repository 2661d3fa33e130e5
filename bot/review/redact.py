"""Remove secrets from text before it leaves for a model."""

from __future__ import annotations

import re

PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
    re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{8,}"),  # Slack tokens
    re.compile(r"\bxapp-[A-Za-z0-9-]{8,}"),
    re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"),  # OpenAI-style keys
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key ids
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),  # GitHub tokens
    re.compile(r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}"),  # JWTs
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)(authorization\s*[:=]\s*)\S+(\s+\S+)?"),
    re.compile(
        r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)"
        r"(\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|\S+)"
    ),
    re.compile(r"(?i)(://[^/\s:@]+:)[^@\s/]+(@)"),  # credentials in URLs
]
EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
MARK = "[REDACTED]"


def redact(text: str, *, emails: bool = False) -> str:
    for pattern in PATTERNS:
        if pattern.groups >= 2 and "password" in pattern.pattern:
            text = pattern.sub(lambda m: f"{m[1]}{m[2]}{MARK}", text)
        elif pattern.groups == 2 and "://" in pattern.pattern:
            text = pattern.sub(lambda m: f"{m[1]}{MARK}{m[2]}", text)
        elif pattern.groups >= 1 and "authorization" in pattern.pattern:
            text = pattern.sub(lambda m: f"{m[1]}{MARK}", text)
        else:
            text = pattern.sub(MARK, text)
    if emails:
        text = EMAIL.sub("[EMAIL]", text)
    return text
