"""Inbound HTTP other than Slack: alert sources and deploy events."""
