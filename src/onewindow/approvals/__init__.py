"""The approval catalog, working-day plans and (later) approval tasks (办件)."""
