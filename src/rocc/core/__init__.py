"""Configuration, start-up checks and shared helpers that every capability uses."""
