"""Erasure of a person from every system sfsync touches, with a proof record that holds no personal data."""
