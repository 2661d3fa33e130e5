"""Firebell: a self-hosted Slack incident-response bot."""
