"""Outside tools that track work (Jira, Zendesk, …): one module per tool, through the outbox."""
