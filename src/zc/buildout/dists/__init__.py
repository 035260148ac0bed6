"""Installing distributions: finding, resolving, building, installing and locking them.

``installer.Installer`` runs the pipeline for a set of requirements, as
``settings.InstallerSettings`` say. The stage packages, from the bottom up
(a stage imports only those below it):

- ``store``: what is on disk: the eggs directory and develop-eggs
  (``InstalledEggs``), metadata directories on ``sys.path``, the download
  cache's archives and eggs;
- ``build``: the PEP 517/660 front end, in isolated build environments
  (handed the installer's way of installing build requirements), and the
  metadata of sdists;
- ``find``: the index and find-links, their pages, remote wheels' metadata
  and which files fit here;
- ``resolve``: requirements and pins to the distributions to use
  (resolvelib), conflicts explained, picked versions, resolutions
  remembered between runs;
- ``install``: picked files fetched, built and unpacked into egg
  directories on worker processes; editable installs;
- ``lock``: what the installer does with the lock file, and its exports.

Beside them: ``metadata`` (core metadata), ``settings`` and the lock file's
model (``lock.file``) at the bottom, ``installer`` and ``custom`` (builds
with custom compiler settings) at the top.
"""
