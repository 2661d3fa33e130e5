"""Builds corpus.json from faults.py, deterministically (seed 7): run it again after
changing the faults. Each duplicate report words its fault the way one kind of
reporter would (a customer, a support agent, a tester, someone in another language,
another engineer); traces of one crash differ in line numbers, ids and extra frames."""

from __future__ import annotations

import json
import random
from pathlib import Path

from faults import BACKGROUND, FAULTS

HERE = Path(__file__).resolve().parent
rng = random.Random(7)

EXTRAS = [
    "Tried twice.", "Happens on Chrome and Safari.", "Started about an hour ago.",
    "This is urgent for us.", "Several colleagues see it too.", "It worked yesterday.",
    "Cleared the cache, no change.", "Screenshot attached.", "We are on the Pro plan.",
    "Please help!", "", "", "",
]
LOCALES = {"de": ("Fehlermeldung", "Seit heute Morgen."), "fr": ("Message d'erreur", "Depuis ce matin."),
           "es": ("Mensaje de error", "Desde esta mañana.")}


def hexid(n: int = 12) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def trace(lang: str, fault: dict) -> str | None:
    frames = fault["frames"]
    if not frames:
        return None
    exc = fault["exc"]
    detail = fault["detail"][:80]
    noise = rng.random() < 0.5
    if lang == "python":
        lines = ["Traceback (most recent call last):"]
        if noise:
            lines.append(f'  File "/srv/app/.venv/lib/python3.12/site-packages/gunicorn/workers/sync.py", line {rng.randint(100, 200)}, in handle')
        for path, fn in reversed(frames):
            lines.append(f'  File "/srv/app/{path}", line {rng.randint(10, 400)}, in {fn}')
            lines.append("    result = call(request_id=%r)" % hexid())
        lines.append(f"{exc}: {detail} (request {hexid(8)}-{hexid(4)})")
        return "\n".join(lines)
    if lang == "java":
        lines = [f"{'com.acme.errors.' if rng.random() < 0.3 else 'java.lang.'}{exc}: {detail}"]
        for cls, method in frames:
            lines.append(f"\tat {cls}.{method}({cls.rsplit('.', 1)[-1]}.java:{rng.randint(20, 600)})")
        if noise:
            lines.append(f"\tat java.base/java.lang.Thread.run(Thread.java:{rng.randint(800, 900)})")
        lines.append(f"\t... {rng.randint(20, 60)} more")
        return "\n".join(lines)
    if lang == "go":
        lines = [f"{exc}: {detail}", "", f"goroutine {rng.randint(1, 9999)} [running]:"]
        for fn, _ in frames:
            lines.append(f"{fn}(0xc000{hexid(6)}, 0x{hexid(4)})")
            lines.append(f"\t/build/{fn.split('.')[0]}.go:{rng.randint(10, 300)} +0x{hexid(3)}")
        return "\n".join(lines)
    if lang == "js":
        lines = [f"{exc}: {detail}"]
        for fn, file in frames:
            lines.append(f"    at {fn} (https://cdn.example.com/static/{file.replace('.js', '')}.{hexid(8)}.js:1:{rng.randint(1000, 90000)})")
        if noise:
            lines.append(f"    at invokeGuardedCallback (https://cdn.example.com/static/vendor.{hexid(8)}.js:1:{rng.randint(1000, 9000)})")
        return "\n".join(lines)
    if lang == "ruby":
        lines = [f"{exc}: {detail}"]
        for path, fn in frames:
            lines.append(f"/app/{path}:{rng.randint(5, 200)}:in `{fn}'")
        if noise:
            lines.append(f"/usr/local/bundle/gems/sidekiq-7.{rng.randint(0, 3)}.0/lib/sidekiq/processor.rb:{rng.randint(100, 300)}:in `execute_job'")
        return "\n".join(lines)
    if lang == "dotnet":
        lines = [f"System.{exc}: {detail}"]
        for name, _ in frames:
            lines.append(f"   at {name}() in /src/{name.split('.')[2]}/{name.split('.')[-2]}.cs:line {rng.randint(10, 500)}")
        return "\n".join(lines)
    if lang == "swift":
        lines = [f"Exception Type: {exc}", f"Crashed Thread: {rng.randint(0, 3)}"]
        for i, (fn, file) in enumerate(frames):
            lines.append(f"{i}   Acme   0x0000000{hexid(9)} {fn} + {rng.randint(40, 900)} ({file}:{rng.randint(10, 300)})")
        return "\n".join(lines)
    raise ValueError(lang)


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def report(kind: str, service: str, spec: dict, fault: dict) -> dict:
    lang, msg = spec["lang"], fault["msg"]
    extra = rng.choice(EXTRAS)
    item: dict = {"service": service, "type": spec["type"], "stack_trace": None, "trace_id": None}
    if kind == "customer":
        item["title"] = cap(fault["cust"])[:150]
        item["description"] = f"{cap(fault['cust'])}. {extra}".strip()
        item["severity"] = rng.choice(["major", "critical"])
    elif kind == "support":
        item["title"] = f"Customer reports: {fault['cust']}"[:150]
        item["description"] = (
            f"Ticket #{rng.randint(10000, 99999)}: the customer says {fault['cust']}. "
            f"They see \"{msg['en']}\". Account acct_{hexid(10)}. {extra}"
        )
        item["severity"] = rng.choice(["major", "minor"])
    elif kind == "tester":
        item["title"] = f"\"{msg['en']}\" - {fault['cust'][:60]}"[:150]
        item["description"] = (
            f"Steps to reproduce:\n1. Open the {service.split('-')[0]} page\n2. Do what a user "
            f"does\nExpected: it works\nActual: {msg['en']}. {fault['detail'].split(';')[0]}"
        )
        item["stack_trace"] = trace(lang, fault)
        item["severity"] = "major"
    elif kind == "localized":
        code = rng.choice(sorted(LOCALES))
        label, since = LOCALES[code]
        item["title"] = f"{msg[code]}"[:150]
        item["description"] = f"{label}: \"{msg[code]}\". {since} ({service})"
        item["severity"] = rng.choice(["major", "critical"])
    else:  # another engineer
        first = fault["detail"].split(";")[0]
        where = fault["frames"][0][1] or fault["frames"][0][0] if fault["frames"] else service
        item["title"] = (f"{fault['exc']} in {where}" if fault["exc"] else cap(first))[:150]
        item["description"] = f"{cap(fault['detail'])}. Seen in the logs since {rng.randint(6, 11)}:{rng.randint(10, 59)} UTC."
        item["stack_trace"] = trace(lang, fault)
        item["severity"] = rng.choice(["major", "critical"])
    return item


STYLES = ["customer", "support", "tester", "localized", "engineer"]


def main() -> None:
    issues: list[dict] = []
    reports: list[dict] = []
    for service, spec in FAULTS.items():
        faults = spec["faults"]
        for index, fault in enumerate(faults[:3]):
            eid = f"e{len(issues) + 1:03d}"
            original_style = "engineer" if index != 1 else "customer"
            original = report(original_style, service, spec, fault)
            original["title"] = fault["eng"] if original_style == "engineer" else original["title"]
            original["trace_id"] = hexid(32)
            ago = rng.randint(3 * 1440, 30 * 1440)  # filed 3 to 30 days before "now"
            original.update(id=eid, filed_minutes_ago=ago)
            issues.append(original)
            for n, style in enumerate(STYLES):
                dup = report(style, service, spec, fault)
                if dup["title"] == original["title"]:
                    dup["title"] = f"{dup['title']} (again)"
                if rng.random() < 0.12:
                    dup["trace_id"] = original["trace_id"]
                dup.update(
                    id=f"r{len(reports) + 1:03d}",
                    # most within hours of the first report, some days later
                    filed_minutes_ago=ago - (rng.randint(5, 360) if n < 4 else rng.randint(1440, 2880)),
                    duplicate_of=eid,
                    lookalike_of=None,
                    why=f"{style} wording of: {fault['eng']}",
                )
                reports.append(dup)
            others = faults[3:]
            for n in range(5):
                other = others[n % len(others)]
                alike = report(STYLES[(n + index) % len(STYLES)], service, spec, other)
                alike.update(
                    id=f"r{len(reports) + 1:03d}",
                    filed_minutes_ago=ago - rng.randint(60, ago - 60),  # spread out
                    duplicate_of=None,
                    lookalike_of=eid,
                    why=f"same service, a different fault: {other['eng']}",
                )
                reports.append(alike)
    for title, service, kind in BACKGROUND:
        issues.append(
            {
                "id": f"e{len(issues) + 1:03d}",
                "title": title,
                "description": f"{title}. Noticed by the on-call engineer.",
                "stack_trace": None,
                "trace_id": None,
                "service": service,
                "type": kind,
                "severity": rng.choice(["minor", "major"]),
                "filed_minutes_ago": rng.randint(60, 60 * 24 * 10),
            }
        )
    (HERE / "corpus.json").write_text(
        json.dumps({"issues": issues, "reports": reports}, indent=1, ensure_ascii=False) + "\n"
    )
    print(len(issues), "issues,", len(reports), "reports")


if __name__ == "__main__":
    main()
