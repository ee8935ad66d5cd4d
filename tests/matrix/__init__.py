"""The identity matrix: every API route called as every kind of caller.

- ``routes.py``: the data, one row per route (who may call it, how to call it).
- ``conftest.py``: the identities and the world they live in (moto, one app per module).
- ``test_identity_matrix.py``: the cases, and the checks that the data covers the app.
"""
