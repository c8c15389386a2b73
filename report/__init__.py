"""CS analytics over the store's history: completion rate, funnel, time in phase, health, alerts, NPS."""
