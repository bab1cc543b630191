"""Backups: the database, every stored file and a SHA-256 manifest in one archive; restore into an empty instance
(issue 20)."""
