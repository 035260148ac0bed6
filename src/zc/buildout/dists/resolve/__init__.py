"""Resolving: requirements and pins -> the distributions to use."""
