"""Every write of the appraisal app, one module per area."""
