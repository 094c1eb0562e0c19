"""The department's account-security page: lock-outs and forced password changes."""
