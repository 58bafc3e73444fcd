"""Agencies, organisational units, the national structure, users, their roles and scopes."""
