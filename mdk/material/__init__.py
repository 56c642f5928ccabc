"""Diagnostic material per case: items, availability per unit, uploads, readiness."""
