"""The file system: writing text files at once, removing trees, unpacking archives, locks.

Who does what: ``text`` replaces a file's text so that readers never see
half of it; ``trees`` removes files and trees, read-only entries included;
``archives`` unpacks zip and tar archives for download recipes, skipping
members that would land outside the target; ``locks`` holds locks on
files between processes; ``descriptors`` writes new files whole, through
their descriptors.
"""
