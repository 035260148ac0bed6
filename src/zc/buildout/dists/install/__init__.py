"""Installing: picked files to egg directories, concurrently; editable installs.

Who does what: ``fetch`` downloads picked files (through the download cache),
builds wheels of sdists and hands wheels to ``wheel``, which installs one
wheel as one egg directory (``unpack`` writes it, once ``wheel_checks``
found it safe: paths, size, RECORD), and zipped eggs to ``egg``,
which unpacks one as it is; ``compiler`` does the
unpacking, byte-compiling and linking on worker processes; ``progress``
shows one line while it goes. ``own_eggs`` copies buildout's own
distributions into the eggs directory; ``editable`` installs develop
projects (PEP 660) into develop-eggs.
"""
