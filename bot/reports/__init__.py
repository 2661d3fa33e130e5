"""Reports from outside Slack: the signed-in web report form, the embeddable reporter
with its intake keys per site, the reporter's status link, and the context a browser
sends with a report. Everything files through incidents' one Filing entry point."""
