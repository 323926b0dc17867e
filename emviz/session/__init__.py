"""The session model (what every view shows), its parts, its settings' schema, and the runs
and lesson that set it (Qt-free)."""
