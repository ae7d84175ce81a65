"""The live path: what a committed change announces (changes.py), what every screen shows of
one event in memory (state.py), what each audience gets of a change (delivery.py, in the
JSON shapes of wire.py), and the rooms of sockets that carry it (hub.py, between workers
through bus.py)."""
