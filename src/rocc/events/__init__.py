"""The events capability: the unit-record event store: import, validation, pseudonymisation and querying."""
