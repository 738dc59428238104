#!/usr/bin/env python3
"""Pixel statistics of a PNG, with the standard library only (zlib).

usage: png_stats.py FILE [#rrggbb ...]
Prints JSON: width, height, non_background (fraction of pixels that differ
from the most common colour), and for each colour given, the count of
pixels within a small distance of it.
"""
import json
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), "8-bit RGB(A) only"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pr) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    width, height, bpp, rows = read_png(sys.argv[1])
    wanted = [tuple(int(h[k:k + 2], 16) for k in (1, 3, 5)) for h in sys.argv[2:]]
    counts, near = {}, [0] * len(wanted)
    for row in rows:
        for x in range(0, width * bpp, bpp):
            px = (row[x], row[x + 1], row[x + 2])
            counts[px] = counts.get(px, 0) + 1
            for k, w in enumerate(wanted):
                if sum(abs(px[j] - w[j]) for j in range(3)) <= 60:
                    near[k] += 1
    background = max(counts.values())
    total = width * height
    print(json.dumps({"width": width, "height": height,
                      "non_background": (total - background) / total,
                      "colors": len(counts),
                      "near": dict(zip(sys.argv[2:], near))}))


if __name__ == "__main__":
    main()
