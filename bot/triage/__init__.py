"""Triage: the first ten minutes of an issue (catching up; later search, duplicates,
merge and links)."""
