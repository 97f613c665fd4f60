#!/usr/bin/env python3
"""Draw Gas Stove Guard's brand images into custom_components/gas_stove_guard/brand/.

A gas flame on a shield, crossed by a cut: the guard can put the flame out, never light it. Home Assistant
(2026.3 and newer) and HACS read the images from the integration's brand folder:

- icon@2x.png 512x512 (square) and icon.png 256x256, half of it;
- logo@2x.png with its shortest side 512 px (icon and name side by side) and logo.png, half of it;
- dark_*.png: the same for dark themes.

Everything is drawn here with Pillow (a Home Assistant dependency) and its built-in font, so the output
only depends on this script:  .venv/bin/python scripts/render_brand.py
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "custom_components" / "gas_stove_guard" / "brand"
SCALE = 4  # supersampling: draw 4x larger, then shrink for smooth edges
NAME = "Gas Stove Guard"

Point = tuple[float, float]


@dataclass(frozen=True)
class Palette:
    """Colours of one theme."""

    shield: str
    shield_edge: str
    flame_outer: str
    flame_inner: str
    cut: str
    text: str


LIGHT = Palette("#1d4f91", "#153a6b", "#ff7a00", "#ffd23f", "#ffffff", "#1f2933")
DARK = Palette("#3b82d6", "#2a63a8", "#ff8c1a", "#ffe066", "#ffffff", "#f1f5f9")


def bezier(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 48) -> list[Point]:
    """Points along a cubic Bézier curve (without its first point)."""
    points = []
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        points.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return points


def arc(center: Point, radius: float, start: float, end: float, steps: int = 48) -> list[Point]:
    """Points along a circular arc, angles in degrees (0 = right, 90 = down)."""
    return [
        (
            center[0] + radius * math.cos(math.radians(start + (end - start) * i / steps)),
            center[1] + radius * math.sin(math.radians(start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]


def shield() -> list[Point]:
    """A shield in a 256 x 256 box."""
    top, left, right, shoulder = (128.0, 8.0), 28.0, 228.0, 40.0
    outline: list[Point] = [top]
    outline += bezier(top, (160, 26), (200, 36), (right, shoulder))
    outline += [(right, 118)]
    outline += bezier((right, 118), (right, 180), (176, 226), (128, 250))
    outline += bezier((128, 250), (80, 226), (left, 180), (left, 118))
    outline += [(left, shoulder)]
    outline += bezier((left, shoulder), (56, 36), (96, 26), top)
    return outline


def flame(tip: Point, center: Point, radius: float, lean: float) -> list[Point]:
    """A flame: a round base and two curves meeting at a tip that leans a little to the right."""
    cx, cy = center
    left_side = (cx - radius, cy)
    right_side = (cx + radius, cy)
    outline: list[Point] = [tip]
    outline += bezier(
        tip, (tip[0] - radius * 0.45, tip[1] + radius * 0.9), (cx - radius, cy - radius * 1.2), left_side
    )
    outline += arc(center, radius, 180, 0)[1:]  # through the bottom
    outline += bezier(
        right_side,
        (cx + radius, cy - radius * 1.1),
        (tip[0] + radius * 0.2 + lean, tip[1] + radius * 1.1),
        tip,
    )
    return outline


def scaled(points: Iterable[Point], factor: float, offset: Point = (0, 0)) -> list[Point]:
    """Points scaled and moved."""
    return [(x * factor + offset[0], y * factor + offset[1]) for x, y in points]


def draw_icon(palette: Palette, size: int) -> Image.Image:
    """The square icon, `size` pixels wide."""
    big = size * SCALE
    factor = big / 256
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon(scaled(shield(), factor), fill=palette.shield_edge)
    inner = [(128 + (x - 128) * 0.92, 132 + (y - 132) * 0.92) for x, y in shield()]
    draw.polygon(scaled(inner, factor), fill=palette.shield)
    draw.polygon(scaled(flame((134, 44), (128, 164), 54, 6), factor), fill=palette.flame_outer)
    draw.polygon(scaled(flame((130, 108), (128, 184), 28, 2), factor), fill=palette.flame_inner)
    # The cut: a white bar across the flame, set off from it by a band of the shield's colour.
    start, end = (80 * factor, 196 * factor), (190 * factor, 66 * factor)
    draw.line([start, end], fill=palette.shield, width=round(34 * factor))
    draw.line([start, end], fill=palette.cut, width=round(16 * factor))
    for point in (start, end):  # round ends
        r = 8 * factor
        draw.ellipse([point[0] - r, point[1] - r, point[0] + r, point[1] + r], fill=palette.cut)
    # Keep the cut's band inside the shield.
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).polygon(scaled(shield(), factor), fill=255)
    image.putalpha(Image.composite(image.getchannel("A"), mask, mask))
    return image.resize((size, size), Image.Resampling.LANCZOS)


def draw_logo(palette: Palette, height: int) -> Image.Image:
    """The icon and the name side by side, trimmed, `height` pixels high."""
    big = height * SCALE
    icon = draw_icon(palette, big // SCALE).resize((big, big), Image.Resampling.LANCZOS)
    font = ImageFont.load_default(size=round(big * 0.34))
    left, top, right, bottom = font.getbbox(NAME)
    gap = round(big * 0.1)
    width = big + gap + (right - left)
    image = Image.new("RGBA", (width, big), (0, 0, 0, 0))
    image.alpha_composite(icon, (0, 0))
    draw = ImageDraw.Draw(image)
    text_y = (big - (bottom - top)) // 2 - top
    draw.text(
        (big + gap - left, text_y),
        NAME,
        font=font,
        fill=palette.text,
        stroke_width=round(big * 0.006),
        stroke_fill=palette.text,
    )
    image = image.crop(image.getbbox())
    new_width = round(image.width * height / image.height)
    return image.resize((new_width, height), Image.Resampling.LANCZOS)


def main() -> None:
    """Write all eight images."""
    OUT.mkdir(parents=True, exist_ok=True)
    for prefix, palette in (("", LIGHT), ("dark_", DARK)):
        for name, drawn in (("icon", draw_icon(palette, 512)), ("logo", draw_logo(palette, 512))):
            # An even width, so that the 1x image is exactly half of the @2x one.
            image = Image.new("RGBA", (drawn.width + drawn.width % 2, drawn.height), (0, 0, 0, 0))
            image.alpha_composite(drawn)
            image.save(OUT / f"{prefix}{name}@2x.png", optimize=True)
            half = image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS)
            half.save(OUT / f"{prefix}{name}.png", optimize=True)
    for path in sorted(OUT.glob("*.png")):
        with Image.open(path) as image:
            print(f"{path.name}: {image.width}x{image.height}")


if __name__ == "__main__":
    main()
