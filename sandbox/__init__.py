"""A local Slack workspace on loopback: Slack's Web API, signed requests, Socket Mode.

It imports nothing from `bot`: it is a stand-in for Slack, not part of Firebell.
"""

from sandbox.driver import SlackDriver
from sandbox.server import Sandbox
from sandbox.workspace import Workspace

__all__ = ["Sandbox", "SlackDriver", "Workspace"]
