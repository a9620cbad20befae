"""Helpers the test files share, in modules named by what they serve.

Test files import helpers from here and from the `tests` package itself (Home Assistant's side:
flows, registries, states, waiting), never from each other or from conftest.py, which holds the
fixtures.
"""
