"""Turns the hand-written contract (spec/openapi.yaml) into server models and client SDKs."""
