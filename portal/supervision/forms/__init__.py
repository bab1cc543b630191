"""The supervision forms, one module per register."""
