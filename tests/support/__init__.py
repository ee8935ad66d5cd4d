"""Helpers shared by the test suites (never imported from a test module into another)."""
