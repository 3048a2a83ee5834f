"""Real services for tests: PostgreSQL and Redis from their Debian binaries, and a live Janua."""
