"""Building: the PEP 517/660 front end, isolated build environments, the metadata of sdists.

Who does what: ``frontend`` calls a project's build backend (wheels,
editable wheels, metadata) in the environment ``isolation`` makes: build
requirements linked from buildout's environment, or installed by the
installer, which hands ``BuildEnvironments`` its way of installing.
``sdist_metadata`` reads an sdist's requirements from ``PKG-INFO`` or asks
its backend.
"""
