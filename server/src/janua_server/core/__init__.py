"""Cross-cutting building blocks. Nothing in here knows about a domain."""
