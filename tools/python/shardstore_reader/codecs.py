"""Decodes a chunk's stored bytes: none, lz4 and lz4hc (LZ4 blocks), zstd (one Zstandard frame)."""

from __future__ import annotations


class DecodeError(Exception):
    """The stored bytes do not decode to exactly the declared raw size."""


def decode(codec: int, stored: bytes, raw_size: int) -> bytes:
    """Returns the raw chunk that ``stored`` encodes with ``codec`` (0 none, 1 lz4, 2 lz4hc, 3 zstd)."""
    if codec == 0:
        return stored
    if codec in (1, 2):
        raw = _lz4(stored, raw_size)
    elif codec == 3:
        raw = _zstd(stored, raw_size)
    else:
        raise DecodeError(f"unknown codec {codec}")
    if len(raw) != raw_size:
        raise DecodeError(f"it decodes to {len(raw)} bytes, not the declared raw size {raw_size}")
    return raw


def _lz4(stored: bytes, raw_size: int) -> bytes:
    try:
        import lz4.block  # type: ignore[import-not-found]
    except ImportError:
        raise DecodeError("the chunk is lz4-compressed and the lz4 module is missing (Debian: apt-get install python3-lz4)") from None
    try:
        # LZ4_decompress_safe into a buffer of exactly raw_size bytes: it never writes more.
        return lz4.block.decompress(stored, uncompressed_size=raw_size)
    except lz4.block.LZ4BlockError as e:
        raise DecodeError(f"it is not a valid LZ4 block of {raw_size} bytes ({e})") from None


def _zstd(stored: bytes, raw_size: int) -> bytes:
    try:
        import zstandard  # type: ignore[import-not-found]
    except ImportError:
        raise DecodeError("the chunk is zstd-compressed and the zstandard module is missing (Debian: apt-get install python3-zstandard)") from None
    try:
        declared = zstandard.frame_content_size(stored)
        if declared >= 0 and declared != raw_size:
            raise DecodeError(f"its Zstandard frame declares {declared} bytes, not the raw size {raw_size}")
        decompressor = zstandard.ZstdDecompressor().decompressobj()
        # The entry's raw size is at most 32768 x the stored size, and a frame cannot expand more than that, so this
        # output is bounded by the checked entry.
        raw = decompressor.decompress(stored)
    except zstandard.ZstdError as e:
        raise DecodeError(f"it is not a valid Zstandard frame ({e})") from None
    if not decompressor.eof:
        raise DecodeError("its Zstandard frame is incomplete")
    if decompressor.unused_data:
        raise DecodeError(f"{len(decompressor.unused_data)} bytes follow its Zstandard frame")
    return raw
