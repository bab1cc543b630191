"""Public numbers (TS-2026-000123) and receipt secrets for what the public files: complaints and objections."""
