"""The lock: its file, what installations do with it, its exports.

Who does what: ``file`` reads and writes the lock file (its model sits with
the settings at the bottom of ``dists``: its versions are pins); ``checks``
makes lock entries, checks ``--locked`` and the digests of files; ``export``
writes ``pylock.toml`` and pip constraints.
"""
