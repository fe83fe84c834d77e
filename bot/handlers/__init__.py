"""Telegram handlers, one module per feature; each translates, calls one use case, renders."""
