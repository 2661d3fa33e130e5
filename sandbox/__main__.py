"""`python -m sandbox`: a sandbox Slack in its own process (used by the benchmarks).

Prints one line, `SANDBOX_URL=http://127.0.0.1:<port>/`, once it is listening.
"""

from __future__ import annotations

import argparse
import asyncio

from sandbox.server import Sandbox
from sandbox.workspace import Workspace


async def serve(port: int, trigger_ttl: float, validate: bool) -> None:
    workspace = Workspace(trigger_ttl=trigger_ttl)
    people = [workspace.add_user(name, name.capitalize()) for name in ("dana", "sam")]
    workspace.add_channel("support", *people, workspace.bot)
    sandbox = await Sandbox(workspace, validate_blocks=validate).start(port=port)
    print(f"SANDBOX_URL={sandbox.base_url}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--trigger-ttl", type=float, default=3.0)
    parser.add_argument("--no-validate", action="store_true", help="skip Block Kit checks")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port, args.trigger_ttl, not args.no_validate))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
