"""Tests for Gas Stove Guard."""
