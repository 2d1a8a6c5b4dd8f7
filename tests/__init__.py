"""ATLAS tests."""
