"""Validation of staged canonical tables: pandera schemas and the error-rate rule."""
