"""A run of buildout: startup, the run object, the engine and what it drives.

Who does what: ``startup`` makes the ``Buildout`` (the configuration recipes
receive), which starts a ``state.Run`` (installer settings, the installer,
picked versions, lock entries, loaded recipes, log level), sets up logging
(``logsetup``) and enters the buildout directory. ``engine`` makes the parts
on disk match the configuration: it loads the extensions (``parts``),
creates the directories (``layout``), runs the ``develop`` step, finds the
parts and their recipes (``parts``), sets a replaced part's old
installation ``aside``, compares each part's options and recipe
``signatures`` with the installation ``database`` and uninstalls, installs
or updates. ``bootstrap`` writes ``bin/buildout``; ``scripts`` writes console
and interpreter scripts; ``own_versions`` warns about pins of buildout itself;
``pkgresources`` makes ``pkg_resources`` importable for recipes and lets
namespace packages span the old-style portions of develop projects and
recipe eggs added to the path.
"""
