"""Analyses beyond the KPI catalogue: staffing, ticket types, feedback themes, customers, CLV,
trends."""
