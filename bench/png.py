"""A raster canvas and the smallest PNG writer and reader the plot needs:
8-bit RGB, one IDAT stream, filter type 0. Standard library only (zlib,
struct), since matplotlib is not installed on the machines this runs on."""

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"

# 5x7 glyphs, '#' = ink. Text is drawn in capitals (lower case is mapped up).
FONT = {
    "A": ".###.|#...#|#...#|#####|#...#|#...#|#...#",
    "B": "####.|#...#|#...#|####.|#...#|#...#|####.",
    "C": ".###.|#...#|#....|#....|#....|#...#|.###.",
    "D": "####.|#...#|#...#|#...#|#...#|#...#|####.",
    "E": "#####|#....|#....|####.|#....|#....|#####",
    "F": "#####|#....|#....|####.|#....|#....|#....",
    "G": ".###.|#...#|#....|#.###|#...#|#...#|.####",
    "H": "#...#|#...#|#...#|#####|#...#|#...#|#...#",
    "I": ".###.|..#..|..#..|..#..|..#..|..#..|.###.",
    "J": "..###|...#.|...#.|...#.|...#.|#..#.|.##..",
    "K": "#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#",
    "L": "#....|#....|#....|#....|#....|#....|#####",
    "M": "#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#",
    "N": "#...#|#...#|##..#|#.#.#|#..##|#...#|#...#",
    "O": ".###.|#...#|#...#|#...#|#...#|#...#|.###.",
    "P": "####.|#...#|#...#|####.|#....|#....|#....",
    "Q": ".###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#",
    "R": "####.|#...#|#...#|####.|#.#..|#..#.|#...#",
    "S": ".####|#....|#....|.###.|....#|....#|####.",
    "T": "#####|..#..|..#..|..#..|..#..|..#..|..#..",
    "U": "#...#|#...#|#...#|#...#|#...#|#...#|.###.",
    "V": "#...#|#...#|#...#|#...#|#...#|.#.#.|..#..",
    "W": "#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.",
    "X": "#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#",
    "Y": "#...#|#...#|.#.#.|..#..|..#..|..#..|..#..",
    "Z": "#####|....#|...#.|..#..|.#...|#....|#####",
    "0": ".###.|#...#|#..##|#.#.#|##..#|#...#|.###.",
    "1": "..#..|.##..|..#..|..#..|..#..|..#..|.###.",
    "2": ".###.|#...#|....#|...#.|..#..|.#...|#####",
    "3": "#####|...#.|..#..|...#.|....#|#...#|.###.",
    "4": "...#.|..##.|.#.#.|#..#.|#####|...#.|...#.",
    "5": "#####|#....|####.|....#|....#|#...#|.###.",
    "6": "..##.|.#...|#....|####.|#...#|#...#|.###.",
    "7": "#####|....#|...#.|..#..|.#...|.#...|.#...",
    "8": ".###.|#...#|#...#|.###.|#...#|#...#|.###.",
    "9": ".###.|#...#|#...#|.####|....#|...#.|.##..",
    ".": ".....|.....|.....|.....|.....|.##..|.##..",
    ",": ".....|.....|.....|.....|.##..|..#..|.#...",
    "-": ".....|.....|.....|#####|.....|.....|.....",
    "(": "...#.|..#..|.#...|.#...|.#...|..#..|...#.",
    ")": ".#...|..#..|...#.|...#.|...#.|..#..|.#...",
    ":": ".....|.##..|.##..|.....|.##..|.##..|.....",
    "/": ".....|....#|...#.|..#..|.#...|#....|.....",
    "=": ".....|.....|#####|.....|#####|.....|.....",
    "+": ".....|..#..|..#..|#####|..#..|..#..|.....",
    "<": "...#.|..#..|.#...|#....|.#...|..#..|...#.",
    ">": ".#...|..#..|...#.|....#|...#.|..#..|.#...",
    "?": ".###.|#...#|....#|...#.|..#..|.....|..#..",
    " ": ".....|.....|.....|.....|.....|.....|.....",
}
GLYPH_W, GLYPH_H = 5, 7


class Canvas:
    def __init__(self, width, height, background=(255, 255, 255)):
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def set(self, x, y, color, clip=None):
        if clip and not (clip[0] <= x <= clip[2] and clip[1] <= y <= clip[3]):
            return
        if 0 <= x < self.width and 0 <= y < self.height:
            i = (y * self.width + x) * 3
            self.pixels[i : i + 3] = bytes(color)

    def rect(self, x0, y0, x1, y1, color, clip=None):
        for y in range(min(y0, y1), max(y0, y1) + 1):
            for x in range(min(x0, x1), max(x0, x1) + 1):
                self.set(x, y, color, clip)

    def line(self, x0, y0, x1, y1, color, width=1, dash=None, clip=None, step=0):
        """Bresenham, each point stamped as a width x width square; `dash` is
        (on, off) in steps along the line, starting at `step`. Returns the
        step it ended on, so a polyline's dashes run on across its points."""
        x0, y0, x1, y1 = round(x0), round(y0), round(x1), round(y1)
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        lo = -(width // 2)
        while True:
            if dash is None or step % sum(dash) < dash[0]:
                self.rect(x0 + lo, y0 + lo, x0 + lo + width - 1, y0 + lo + width - 1, color, clip)
            if x0 == x1 and y0 == y1:
                return step
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy
            step += 1

    def polyline(self, points, color, width=1, dash=None, clip=None):
        step = 0
        for (xa, ya), (xb, yb) in zip(points, points[1:]):
            step = self.line(xa, ya, xb, yb, color, width, dash, clip, step)

    def marker(self, x, y, shape, color, r=4):
        x, y = round(x), round(y)
        for j in range(-r, r + 1):
            for i in range(-r, r + 1):
                if shape == "circle" and i * i + j * j > r * r + 1:
                    continue
                if shape == "triangle" and abs(i) * 2 > (j + r):
                    continue
                self.set(x + i, y + j, color)

    def text(self, x, y, s, color=(0, 0, 0), scale=2):
        """Draws `s` with its top-left corner at (x, y)."""
        for k, ch in enumerate(s.upper()):
            rows = FONT.get(ch, FONT["?"]).split("|")
            for j, row in enumerate(rows):
                for i, c in enumerate(row):
                    if c == "#":
                        gx, gy = x + k * (GLYPH_W + 1) * scale + i * scale, y + j * scale
                        self.rect(gx, gy, gx + scale - 1, gy + scale - 1, color)

    @staticmethod
    def text_width(s, scale=2):
        return len(s) * (GLYPH_W + 1) * scale - scale


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode(canvas):
    row = canvas.width * 3
    raw = b"".join(b"\x00" + bytes(canvas.pixels[y * row : (y + 1) * row]) for y in range(canvas.height))
    header = struct.pack(">IIBBBBB", canvas.width, canvas.height, 8, 2, 0, 0, 0)
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")


class PngError(ValueError):
    pass


def decode(data):
    """(width, height, RGB bytes) of a PNG as encode() writes them; raises
    PngError on anything else (another colour type, other filters, a bad CRC)."""
    if not data.startswith(SIGNATURE):
        raise PngError("not a PNG file")
    pos, width, height, idat = len(SIGNATURE), None, None, b""
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        crc = data[pos + 8 + length : pos + 12 + length]
        if len(body) != length or len(crc) != 4 or struct.unpack(">I", crc)[0] != zlib.crc32(kind + body):
            raise PngError(f"chunk {kind!r} is truncated or has a bad CRC")
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if (depth, colour, interlace) != (8, 2, 0):
                raise PngError("only 8-bit RGB without interlacing is read")
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if width is None:
        raise PngError("no IHDR chunk")
    try:
        raw = zlib.decompress(idat)
    except zlib.error as e:
        raise PngError(f"IDAT does not inflate: {e}") from None
    row = width * 3
    if len(raw) != height * (row + 1):
        raise PngError("IDAT holds the wrong number of bytes")
    out = bytearray()
    for y in range(height):
        line = raw[y * (row + 1) : (y + 1) * (row + 1)]
        if line[0] != 0:
            raise PngError(f"row {y} uses filter {line[0]}; only filter 0 is read")
        out += line[1:]
    return width, height, bytes(out)
