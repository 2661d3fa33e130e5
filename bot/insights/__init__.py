"""Insights: figures about issues, SLAs and the bot itself (/metrics for now)."""
