"""Scoring data in bulk with a registered model, outside the service."""
