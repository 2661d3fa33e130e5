"""`firebell demo` (script) and the harness that runs Firebell against the sandbox Slack
in one process (the demo and the tests use it)."""
