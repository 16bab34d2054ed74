"""The HTTP edge: one ASGI application serving every dialect."""
