"""The configuration language: text -> raw sections -> merged sources -> the ``Options`` model.

Who does what: ``parser`` reads Buildout's dialect into raw sections, each
value with its ``file:line``, evaluating section ``conditions`` (markers, or
small expressions, which ``expressions`` evaluates safely);
``extends`` and ``remote`` find the files a configuration is made of (local
or fetched through the extends cache); ``loading`` merges them with the
built-in and user defaults and the command-line assignments, ``layers``
applying ``=``, ``+=`` and ``-=`` and ``values`` keeping each value's
history; ``directories`` makes the directory options absolute. ``options``
is the model recipes see: sections initialised on first use, ``macros``
expanded, ``${section:option}`` references resolved by ``substitution``.
``annotation`` renders what ``annotate`` and ``query`` show. Nothing here
installs or runs anything.
"""
