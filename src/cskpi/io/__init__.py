"""Reading exports into the canonical tables of the data contract."""
