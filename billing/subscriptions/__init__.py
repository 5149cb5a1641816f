"""Platform billing: tenants pay the platform (public schema)."""
