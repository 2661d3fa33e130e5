"""Domain services: typed inputs in, typed results out; they never see a Slack payload."""
