"""Clients of outside systems. Nothing here imports Flask or our models: adapters speak wire formats only."""
