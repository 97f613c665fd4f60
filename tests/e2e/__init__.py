"""Browser tests against a real Home Assistant."""
