"""HTTP and WebSocket routes: thin, they check the role, call the domain, publish events."""
