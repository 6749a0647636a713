"""Full-text search kernel: text taken out of PDF, DOCX, ODT and plain text files, and one index
of (kind, object, visibility key, title, text) searched within what the caller may see.

SQLite FTS5 by default, PostgreSQL full-text search (tsvector + GIN, `simple` configuration) when
the database is PostgreSQL. The kernel decides nothing about who may see what: the caller's
selector hands it the visible keys (a list or a subquery), and the filter runs inside the search
query. See docs/domains/search.md and ADRs 0080–0084.
"""
