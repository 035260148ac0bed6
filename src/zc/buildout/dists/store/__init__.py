"""What is on disk: the eggs directory, develop-eggs, installed metadata, the download cache.

Who does what: ``eggs`` lists what develop-eggs and the eggs directory hold
(``InstalledEggs``) and names egg directories; ``distinfo`` finds and reads
metadata directories on ``sys.path`` fast, and ``closure`` follows a
distribution's requirements there; ``archive_cache`` keeps downloaded
archives and ``egg_cache`` installed eggs in the download cache; ``state``
says where buildout keeps its working state (locks, build environments,
remembered resolutions), which is never among the distributions.
"""
