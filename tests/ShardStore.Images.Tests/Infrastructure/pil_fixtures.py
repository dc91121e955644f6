"""Re-encodes photographs into JPEG and PNG variants with PIL and writes PIL's own decode of each beside it.

Usage: pil_fixtures.py OUTDIR PHOTO...
For every variant NAME it writes NAME (the encoded file) and NAME.rgb (PIL's Image.open(f).convert("RGB") bytes);
for JPEG variants also NAME.draftS.rgb for S in 2, 4, 8 (after PIL's draft(), which scales in the DCT domain).
It prints one line per file: "NAME WIDTH HEIGHT", and "NAME.draftS.rgb WIDTH HEIGHT" for the drafts.
"""
import ctypes
import os
import struct
import sys
import zlib

from PIL import Image


def png16(path, rgb):
    # PIL cannot write 16-bit RGB PNGs: write one by hand, each sample v * 257 + (x % 7) so the low byte varies.
    w, h = rgb.size
    data = rgb.tobytes()
    rows = bytearray()
    for y in range(h):
        rows.append(0)
        for x in range(w):
            for c in range(3):
                v = data[(y * w + x) * 3 + c] * 257 - ((x + c) % 7)
                rows += struct.pack(">H", max(v, 0))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(bytes(rows), 6)))
        f.write(chunk(b"IEND", b""))


def ycck(path, rgb):
    # PIL cannot write YCCK; TurboJPEG writes YCCK from CMYK pixels (PIL's CMYK, which is what PIL reads back).
    tj = ctypes.CDLL("libturbojpeg.so.0")
    tj.tjInitCompress.restype = ctypes.c_void_p
    handle = tj.tjInitCompress()
    cmyk = rgb.convert("CMYK").tobytes()
    w, h = rgb.size
    out = ctypes.POINTER(ctypes.c_ubyte)()
    size = ctypes.c_ulong(0)
    tjpf_cmyk, tjsamp_420 = 11, 2
    if tj.tjCompress2(ctypes.c_void_p(handle), cmyk, w, 0, h, tjpf_cmyk, ctypes.byref(out), ctypes.byref(size), tjsamp_420, 85, 0) != 0:
        raise RuntimeError("tjCompress2 failed")
    with open(path, "wb") as f:
        f.write(ctypes.string_at(out, size.value))
    tj.tjFree(out)
    tj.tjDestroy(ctypes.c_void_p(handle))


def variants(stem, photo, path):
    rgb = photo.convert("RGB")
    if photo.format == "JPEG":
        # The photograph as its camera or publisher encoded it.
        yield f"{stem}_original.jpg", lambda p: open(p, "wb").write(open(path, "rb").read())
    for q in (50, 75, 95):
        yield f"{stem}_q{q}_420.jpg", lambda p, q=q: rgb.save(p, quality=q, subsampling=2)
    yield f"{stem}_q85_444.jpg", lambda p: rgb.save(p, quality=85, subsampling=0)
    yield f"{stem}_q85_422.jpg", lambda p: rgb.save(p, quality=85, subsampling=1)
    yield f"{stem}_q85_progressive.jpg", lambda p: rgb.save(p, quality=85, progressive=True)
    yield f"{stem}_q85_optimized.jpg", lambda p: rgb.save(p, quality=85, optimize=True)
    yield f"{stem}_q85_gray.jpg", lambda p: rgb.convert("L").save(p, quality=85)
    yield f"{stem}_q85_cmyk.jpg", lambda p: rgb.convert("CMYK").save(p, quality=85)
    yield f"{stem}_q85_ycck.jpg", lambda p: ycck(p, rgb)
    yield f"{stem}_rgb.png", lambda p: rgb.save(p)
    yield f"{stem}_gray.png", lambda p: rgb.convert("L").save(p)

    def rgba(p):
        a = rgb.convert("RGBA")
        a.putalpha(rgb.convert("L").point(lambda v: 255 - v))
        a.save(p)

    yield f"{stem}_rgba.png", rgba
    yield f"{stem}_gray_alpha.png", lambda p: rgb.convert("LA").save(p)
    yield f"{stem}_palette.png", lambda p: rgb.quantize(256).save(p)
    yield f"{stem}_palette4.png", lambda p: rgb.quantize(16).save(p, bits=4)

    def palette_trns(p):
        pal = rgb.quantize(64)
        pal.info["transparency"] = 3
        pal.save(p, transparency=3)

    yield f"{stem}_palette_trns.png", palette_trns
    yield f"{stem}_bilevel.png", lambda p: rgb.convert("1").save(p)
    yield f"{stem}_rgb16.png", lambda p: png16(p, rgb)


def main():
    out = sys.argv[1]
    for path in sys.argv[2:]:
        stem = os.path.splitext(os.path.basename(path))[0]
        with Image.open(path) as photo:
            photo.load()
            for name, save in variants(stem, photo, path):
                target = os.path.join(out, name)
                save(target)
                with Image.open(target) as im:
                    rgb = im.convert("RGB")
                    with open(target + ".rgb", "wb") as f:
                        f.write(rgb.tobytes())
                    print(name, rgb.size[0], rgb.size[1])
                if name.endswith(".jpg"):
                    for s in (2, 4, 8):
                        with Image.open(target) as im:
                            w, h = im.size
                            im.draft(im.mode, (w // s, h // s))
                            rgb = im.convert("RGB")
                            with open(f"{target}.draft{s}.rgb", "wb") as f:
                                f.write(rgb.tobytes())
                            print(f"{name}.draft{s}.rgb", rgb.size[0], rgb.size[1])


main()
