"""Entry point of the opt-in integration suite (``tests/integration/``).

``BUILDOUT_TEST_NETWORK=1 bin/test --layer integration`` runs it. Without
the variable the suite is a single skipped test in the ``integration``
layer, whose set-up says so in the output, and nothing reaches the network.
"""

from __future__ import annotations

import unittest

from tests.integration.support import SKIPPED, Integration, enabled


class NetworkNotEnabled(unittest.TestCase):
    layer = Integration

    def test_integration_suite(self) -> None:
        self.skipTest(SKIPPED)


def test_suite() -> unittest.TestSuite:
    loader = unittest.defaultTestLoader
    if not enabled():
        return loader.loadTestsFromTestCase(NetworkNotEnabled)
    from tests.integration import devpi, pages, plone, published, recipes

    suite = unittest.TestSuite()
    suite.addTests(loader.loadTestsFromModule(recipes))
    suite.addTests(loader.loadTestsFromModule(published))
    suite.addTests(loader.loadTestsFromModule(plone))
    suite.addTests(loader.loadTestsFromModule(devpi))
    suite.addTests(loader.loadTestsFromModule(pages))
    return suite
