"""The configuration language: text -> raw sections -> merged sources -> the Options model."""
