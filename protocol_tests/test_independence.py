"""These tests run where Home Assistant cannot be imported, on the packages as a library's."""

from __future__ import annotations

import sys

import miband
import ninebot
import pytest


def test_home_assistant_cannot_be_imported_here() -> None:
    with pytest.raises(ImportError):
        __import__("homeassistant")


@pytest.mark.parametrize("package", [miband, ninebot])
def test_the_packages_are_top_level_libraries(package: object) -> None:
    name = getattr(package, "__name__", "")
    assert "." not in name
    assert not any(module.startswith("custom_components") for module in sys.modules)
