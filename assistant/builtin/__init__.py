"""The built-in offline engine (assistant.nlu + templated pt-BR replies)."""
