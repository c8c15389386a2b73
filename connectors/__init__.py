"""HTTP clients for Zendesk and Salesforce. No business logic lives here."""
