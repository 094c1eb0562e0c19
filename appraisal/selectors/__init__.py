"""Reads the appraisal pages share, one module per area."""
