"""Inboxes in the back office: credentials per channel, webhook setup, QR connect, history and health."""
