"""Declarative mappings from source objects to the canonical model, and the transforms they chain."""
