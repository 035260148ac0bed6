"""What the report commands tell about a buildout: ``why``, ``graph``, ``outdated``, ``cache``.

Who does what: ``graph`` works out, from the installation database and
what is installed (never the network), the distributions each part,
recipe, extension and develop project uses, with the requirement behind
each edge and where each version's pin comes from; ``views`` renders it
(``why`` and ``graph``, as text, DOT or JSON); ``outdated`` asks the index
for newer versions of the pins and ``versions_file`` raises them in a
configuration file; ``cache`` measures and prunes the caches; ``arguments``
reads these commands' arguments and ``documents`` writes their JSON.
"""
