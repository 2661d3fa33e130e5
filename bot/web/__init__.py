"""The web app on Firebell's HTTP port: Sign in with Slack (oidc.py), sessions, CSRF and
security headers (security.py), the board and issue pages (pages.py, routes.py)."""
