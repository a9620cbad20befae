"""The benchmarks run on the test suite's Home Assistant, Bluetooth manager and virtual proxy."""

from tests.conftest import auto_enable_custom_integrations, proxy  # noqa: F401 - fixtures
