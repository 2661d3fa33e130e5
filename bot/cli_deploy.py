"""`firebell deploy`: tell a running Firebell about a deploy (for CI pipelines)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request


def deploy(args: argparse.Namespace) -> int:
    """Tell a running Firebell about a deploy (for CI pipelines): POST /webhooks/deploy."""
    url = args.url or os.environ.get("FIREBELL_URL")
    token = args.token or os.environ.get("FIREBELL_DEPLOY_TOKEN")
    if not url or not token:
        print(
            "firebell: set --url (or FIREBELL_URL) and --token (or FIREBELL_DEPLOY_TOKEN)",
            file=sys.stderr,
        )
        return 2
    body = {
        "service": args.service,
        "version": args.version,
        "environment": args.environment,
        "link": args.link,
        "fixes": args.fixes or [],
        "description": args.description or "",
    }
    if args.time:
        body["time"] = args.time
    request = urllib.request.Request(
        url.rstrip("/") + "/webhooks/deploy",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        reason = json.loads(exc.read() or b"{}").get("error", exc.reason)
        print(f"firebell: the deploy was refused ({exc.code}): {reason}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, TimeoutError) as exc:
        print(f"firebell: cannot reach {url}: {exc}", file=sys.stderr)
        return 1
    fixed = ", ".join(answer.get("fixes") or []) or "no issues"
    state = "recorded" if answer.get("created") else "already recorded"
    print(f"deploy {args.service} {args.version} {state}; fixes {fixed}")
    # A key that names nothing is a typo in the pipeline: say so, and fail the step.
    problems = [f"{key} is no issue here" for key in answer.get("unknown") or []]
    problems += [f"{key} was closed already; left as it is" for key in answer.get("closed") or []]
    for problem in problems:
        print(f"firebell: {problem}", file=sys.stderr)
    return 1 if answer.get("unknown") else 0
