"""Outside tools an issue lives in too: one module group per tool (Zendesk, Jira).

A peer of sla, detection, triage…: it imports core, playbooks and incidents, never
another peer; incidents reach it through the hooks create_app registers."""
