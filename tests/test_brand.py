"""The brand images Home Assistant serves for the integration, and their source."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageStat
import pytest

from develop import brand

NAMES = ("icon.png", "icon@2x.png", "dark_icon.png", "dark_icon@2x.png")


@pytest.mark.parametrize(
    ("name", "size"),
    [("icon.png", 256), ("icon@2x.png", 512), ("dark_icon.png", 256), ("dark_icon@2x.png", 512)],
)
def test_brand_images_follow_the_brands_rules(name: str, size: int) -> None:
    with Image.open(brand.BRAND / name) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)
        assert image.mode == "RGBA"  # a transparent background
        # Trimmed: the picture reaches every edge, no transparent margin.
        assert image.getchannel("A").getbbox() == (0, 0, size, size)


def test_brand_folder_holds_only_what_the_drawing_makes() -> None:
    assert sorted(path.name for path in brand.BRAND.iterdir()) == sorted(NAMES)
    assert sorted(brand.render()) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_committed_brand_images_are_what_the_source_draws(name: str) -> None:
    # Pixels, not bytes: Pillow's encoder output differs between releases.
    drawn = brand.render()[name]
    with Image.open(brand.BRAND / name) as committed:
        difference = ImageChops.difference(drawn, committed.convert("RGBA"))
    assert max(ImageStat.Stat(difference).mean) < 0.5, "run scripts/brand and commit the images"


def test_dark_variant_differs_from_the_light_one() -> None:
    # Otherwise it should not exist: Home Assistant falls back to icon.png by itself.
    images = brand.render()
    difference = ImageChops.difference(images["icon.png"], images["dark_icon.png"])
    assert difference.convert("RGB").getbbox() is not None
