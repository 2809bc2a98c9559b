"""The KPI result model and its renderers."""
