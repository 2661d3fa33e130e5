"""The process's serving concerns: what listeners and routes are given (runtime), the
checks before start (startup), /readyz (readiness) and Socket Mode."""
