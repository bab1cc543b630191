"""Public statistics at /statistics/: server-rendered SVG charts, each with its data table, no JavaScript."""
