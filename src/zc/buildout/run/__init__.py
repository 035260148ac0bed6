"""A buildout run: startup, the engine, parts and recipes, the installed database."""
