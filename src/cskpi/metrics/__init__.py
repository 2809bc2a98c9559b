"""KPI declarations and the engine that evaluates them (imports neither io nor renderers)."""
