"""``python -m zc.buildout``: the buildout command line."""

import sys

from zc.buildout.cli import main

sys.exit(main())
