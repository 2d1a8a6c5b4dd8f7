"""Tests of the ATLAS Home Assistant integration (custom_components/atlas)."""
