"""cskpi: customer-service KPIs from the exports analysts already have."""

__version__ = "0.1.0"
# Bumped whenever a KPI definition changes, so a kept CSV says which definitions made it.
DEFINITIONS_VERSION = "2026.11"
