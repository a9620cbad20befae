"""The integration's brand images, drawn from code: `scripts/brand` writes them.

Home Assistant (2026.3 and later) serves a custom integration's `brand/` folder at
`/api/brands/integration/miband_ninebot/<image>` and shows it on the integrations page; HACS checks
that it exists. The drawing is the editable source: change it here, run `scripts/brand`, commit
the PNGs (a test fails while they differ from what this draws).

The picture: the wheel of a unicycle (tyre, rim) with a heart at its hub that a pulse line crosses,
for the Ninebot One and the band's heart rate. The dark variant only lightens the tyre, which would
vanish on a dark background. No logo: Home Assistant falls back to the icon, as the brands CDN does.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from pathlib import Path
import sys

from PIL import Image, ImageDraw

BRAND = Path(__file__).resolve().parent.parent / "custom_components" / "miband_ninebot" / "brand"
CANVAS = 2048  # drawn this large, then scaled down: the scaling is the antialiasing
SIZES = {"": 256, "@2x": 512}  # icon.png 256x256, icon@2x.png 512x512 (the brands rules)

ORANGE = (255, 105, 0, 255)  # Xiaomi's orange, for the heart and the rim
WHITE = (255, 255, 255, 255)


@dataclass(frozen=True, slots=True)
class Variant:
    """One colour scheme: its file name prefix and the tyre's colour."""

    prefix: str
    tyre: tuple[int, int, int, int]


VARIANTS = (
    Variant(prefix="", tyre=(43, 47, 51, 255)),  # near black on light backgrounds
    Variant(prefix="dark_", tyre=(222, 225, 229, 255)),  # light grey on dark backgrounds
)


def _circle(draw: ImageDraw.ImageDraw, radius: float, fill: tuple[int, ...]) -> None:
    centre = CANVAS / 2
    draw.ellipse((centre - radius, centre - radius, centre + radius, centre + radius), fill=fill)


def _heart(scale: float, centre: tuple[float, float]) -> list[tuple[float, float]]:
    """The classic heart curve, x = 16 sin^3 t, y = 13 cos t - 5 cos 2t - 2 cos 3t - cos 4t."""
    points = []
    for step in range(720):
        t = 2 * math.pi * step / 720
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        points.append((centre[0] + x * scale, centre[1] - y * scale))
    return points


def _pulse(width: float, centre: tuple[float, float]) -> list[tuple[float, float]]:
    """A heartbeat on an ECG strip, across the heart: flat, a small bump, the spike, flat."""
    # (x, y) in units of half the line's width, y upwards.
    shape = [(-1.0, 0.0), (-0.45, 0.0), (-0.3, 0.18), (-0.15, 0.0), (-0.05, 0.0), (0.08, 0.62),
             (0.24, -0.5), (0.36, 0.0), (1.0, 0.0)]  # fmt: skip
    half = width / 2
    return [(centre[0] + x * half, centre[1] - y * half) for x, y in shape]


def draw(variant: Variant) -> Image.Image:
    """The icon at full canvas size, transparent around the wheel."""
    image = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    unit = CANVAS / 1024
    transparent = (0, 0, 0, 0)
    _circle(pen, 512 * unit, variant.tyre)  # the tyre, edge to edge: the image is trimmed
    _circle(pen, 392 * unit, transparent)
    _circle(pen, 372 * unit, ORANGE)  # the rim
    _circle(pen, 344 * unit, transparent)
    # Tread: short gaps around the tyre.
    centre = CANVAS / 2
    for index in range(16):
        angle = 2 * math.pi * index / 16
        inner, outer = 470 * unit, 520 * unit
        pen.line(
            [
                (centre + inner * math.cos(angle), centre + inner * math.sin(angle)),
                (centre + outer * math.cos(angle), centre + outer * math.sin(angle)),
            ],
            fill=transparent,
            width=round(22 * unit),
        )
    heart_centre = (centre, centre + 14 * unit)
    pen.polygon(_heart(15.5 * unit, heart_centre), fill=ORANGE)
    pen.line(
        _pulse(440 * unit, (centre, centre + 6 * unit)),
        fill=WHITE,
        width=round(30 * unit),
        joint="curve",
    )
    return image


def render() -> dict[str, Image.Image]:
    """Every brand image by file name."""
    images = {}
    for variant in VARIANTS:
        full = draw(variant)
        for suffix, size in SIZES.items():
            images[f"{variant.prefix}icon{suffix}.png"] = full.resize(
                (size, size), Image.Resampling.LANCZOS
            )
    return images


def main() -> None:
    """Write the brand images into the integration's brand folder."""
    BRAND.mkdir(exist_ok=True)
    for name, image in render().items():
        image.save(BRAND / name, optimize=True)
        print(f"brand: {BRAND / name} ({image.width}x{image.height})", file=sys.stderr)


if __name__ == "__main__":
    main()
