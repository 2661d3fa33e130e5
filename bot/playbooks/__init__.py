"""Playbooks as data: YAML files validated at start-up, chosen per issue."""
