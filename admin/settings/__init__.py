"""Per-tenant settings edited in the back office: the AI attendant, the SGP connection and CSAT."""
