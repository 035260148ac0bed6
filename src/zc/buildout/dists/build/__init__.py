"""Building: PEP 517/660 front end, isolated build environments, sdist metadata."""
