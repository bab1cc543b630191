"""Full-text search: one engine interface (tantivy by default, whoosh selectable), the index on disk, the outbox."""
