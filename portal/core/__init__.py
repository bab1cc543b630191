"""Pure domain code: no Flask, no database. Every function here is table-tested in tests/core/."""
