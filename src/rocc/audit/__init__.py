"""The audit trail: a tamper-evident, append-only chain of changes, logins and looks at person-level data."""
