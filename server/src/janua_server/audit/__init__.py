"""The audit log: users' own security events, the log for admins and auditors, retention."""
