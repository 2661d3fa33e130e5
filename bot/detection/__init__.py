"""Detection: alert webhooks normalized, routed and deduplicated; deploys correlated."""
