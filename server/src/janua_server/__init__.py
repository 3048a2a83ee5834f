"""Janua: a self-hosted identity platform."""

__version__ = "0.1.0"
