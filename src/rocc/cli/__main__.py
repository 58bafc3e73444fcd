"""`python -m rocc.cli` runs the `rocc` command."""

from rocc.cli import main

main()
