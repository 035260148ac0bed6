"""Opt-in integration tests: real recipes and extensions from the package index.

Run with ``BUILDOUT_TEST_NETWORK=1 bin/test --layer integration``. Without
the variable, ``tests/test_integration.py`` reports one skipped test and
nothing touches the network.
"""
