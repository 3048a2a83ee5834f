"""Accounts: users, their credentials and profile."""
