"""The compatibility layer: upstream's ``easy_install`` API and ``pkg_resources`` object model.

Recipes written for upstream call ``zc.buildout.easy_install`` and import
``pkg_resources``; this layer maps them onto the installer. Who does what:
``calls`` turns ``install``, ``working_set``, ``build``, ``develop`` and
``scripts`` into installer settings and working sets; ``defaults`` are the
old setters and getters (``prefer_final()``, ``default_versions()``, ...),
which read and change the current run (:func:`zc.buildout.run.state.current_run`,
the one seam to the run); ``distribution``, ``requirement`` and
``working_set`` are the ``pkg_resources``-style object model, and
``dist_scripts`` the scripts of a working set. ``stand_ins`` holds
``pkg_resources`` and ``setuptools.archive_util``, importable under those
names where setuptools provides none. Classes here keep upstream's names
(``Installer``, ``Environment``, ``EntryPoint``, ``VersionConflict``).
"""
