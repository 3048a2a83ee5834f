"""Hosted pages: server-rendered HTML for browsers (templates and static files), outside the
API contract."""
