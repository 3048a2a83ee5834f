"""The audit trail as users see it: their own security events."""
