"""The web shell: layout, navigation by capability, home pages per role, sign-in."""
