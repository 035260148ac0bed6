"""Sphinx configuration for the Buildout documentation."""

project = "Buildout"
author = "Buildout developers"
release = "7.0.0.dev0"
version = "7.0"

extensions: list[str] = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
highlight_language = "none"
# Pages are executable: ">>>" examples are doctests, and ".. -> name"
# comments capture the block above them for the test run.
