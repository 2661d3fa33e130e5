"""SLA clocks, on-call schedules and escalation policies: configuration and time rules."""
