"""KPI declarations and the engine that evaluates them. Imports neither io nor report's renderers."""
