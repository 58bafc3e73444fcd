"""The `rocc` command line: serving, setup, checks, backups and analyses."""

from rocc.cli.main import app, main

__all__ = ["app", "main"]
