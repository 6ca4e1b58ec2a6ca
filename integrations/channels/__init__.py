"""Channel adapters: turn each provider's webhook payloads into normalized events and send messages out."""
