#!/usr/bin/env python3
"""Writes the ComfyStudio extension icons (16, 32, 48 and 128 px PNGs) into ../src/icons/.

Standard library only (zlib + struct): a dark rounded square with an accent "C" ring and a
node dot, drawn with 4x4 supersampling for smooth edges. Run it again after changing the
design:  python3 chrome-extension/tools/make-icons.py
"""
import math
import os
import struct
import zlib

SIZES = (16, 32, 48, 128)
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "icons")

BACKGROUND = (30, 34, 48)      # dark slate
RING = (79, 195, 247)          # light blue accent
NODE = (129, 199, 132)         # green "node" dot
SUPERSAMPLE = 4


def _inside_rounded_square(x, y, radius):
    """x, y in [0, 1]; corner radius as a fraction of the side."""
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def _sample(x, y):
    """Colour (r, g, b, a) of the continuous design at x, y in [0, 1]."""
    if not _inside_rounded_square(x, y, 0.22):
        return (0, 0, 0, 0)
    dx, dy = x - 0.46, y - 0.5
    dist = math.hypot(dx, dy)
    # Node dot sitting in the mouth of the "C".
    if math.hypot(x - 0.74, y - 0.5) <= 0.105:
        return NODE + (255,)
    # The "C": an annulus with a gap of +-42 degrees facing right.
    angle = math.degrees(math.atan2(dy, dx))
    if 0.19 <= dist <= 0.31 and abs(angle) > 42:
        return RING + (255,)
    return BACKGROUND + (255,)


def render(size):
    rows = []
    n = SUPERSAMPLE
    for py in range(size):
        row = bytearray([0])  # filter type 0 (None)
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(n):
                for sx in range(n):
                    r, g, b, a = _sample((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            alpha = acc[3] / (n * n)
            if acc[3]:
                rgb = [round(c / acc[3]) for c in acc[:3]]
            else:
                rgb = [0, 0, 0]
            row.extend(rgb + [round(alpha)])
        rows.append(bytes(row))
    return b"".join(rows)


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(size):
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", zlib.compress(render(size), 9))
            + _chunk(b"IEND", b""))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for size in SIZES:
        path = os.path.join(OUT_DIR, f"icon{size}.png")
        with open(path, "wb") as f:
            f.write(png(size))
        print(f"wrote {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
