"""Public numbers (TS-2026-000123) and receipt secrets for what the public files: complaints and objections; a lost
secret replaced (/complaints/recover, /objections/recover) and a receipt shown again to a double post (issue 18)."""
