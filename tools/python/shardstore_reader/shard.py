"""Opens a shard file and checks its header, footer and chunk table."""

from __future__ import annotations

import math
import os
import struct
from dataclasses import dataclass
from typing import List, Optional, Tuple

from .checksum import crc32c
from .errors import ChecksumError, ShardFormatError, ShardStoreError
from .manifest import ShardEntry, open_regular

HEADER_MAGIC = b"\x89SHRD\r\n\x1a"
FOOTER_MAGIC = b"SHRDEND\x1a"
ALIGNMENT = 4096
HEADER_BYTES = 64
IDENTITY_END = 84
FOOTER_BYTES = 32
ENTRY_BYTES = 48
MAX_CHUNK_BYTES = 2**31 - 57
CODEC_NAMES = {0: "none", 1: "lz4", 2: "lz4hc", 3: "zstd"}

_HEADER = struct.Struct("<8sHHIQIIQQQII")
_FOOTER = struct.Struct("<QQII8s")
_ENTRY = struct.Struct("<QQQQIB3sII")


@dataclass(frozen=True)
class ChunkEntry:
    """One chunk-table entry; ``first_sample`` is within the shard."""

    offset: int
    stored_size: int
    raw_size: int
    first_sample: int
    sample_count: int
    codec: int
    crc32c: int


class ShardFile:
    """An open, checked shard file: its descriptor and chunk table."""

    def __init__(self, path: str, index: int, entry: ShardEntry, fingerprint: int, field_total: int, identity: Optional[bytes]) -> None:
        self.path = path
        self.index = index
        self.entry = entry
        try:
            self._fd: Optional[int] = open_regular(path)
        except FileNotFoundError:
            raise ShardFormatError("the shard file is missing", path, index) from None
        except ShardStoreError as e:
            raise ShardFormatError(e.problem, path, index) from None
        except IsADirectoryError:
            raise ShardFormatError("not a regular file (a directory); a dataset's files must be regular files", path, index) from None
        self._pid = os.getpid()
        try:
            self.chunks = self._check(fingerprint, field_total, identity)
        except BaseException:
            self.close()
            raise
        self.chunk_firsts = [c.first_sample for c in self.chunks]

    def close(self) -> None:
        """Closes the file; harmless when already closed."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def fail(self, problem: str, chunk: Optional[int] = None, offset: Optional[int] = None) -> ShardFormatError:
        return ShardFormatError(problem, self.path, self.index, chunk, offset=offset)

    def read(self, offset: int, size: int) -> bytes:
        """Reads exactly ``size`` bytes at ``offset`` (positioned, so forked workers do not share a file position)."""
        fd = self._descriptor()
        data = os.pread(fd, size, offset) if hasattr(os, "pread") else self._seek_read(fd, offset, size)
        if len(data) != size:
            raise self.fail(f"the file ended after {offset + len(data)} bytes while reading {size} bytes at {offset}; it was truncated", offset=offset)
        return data

    def length(self) -> int:
        """The file's current length."""
        return os.fstat(self._descriptor()).st_size

    def _descriptor(self) -> int:
        if self._fd is None:
            raise ValueError(f"{self.path}: the dataset is closed")
        if self._pid != os.getpid():
            # A forked process (a DataLoader worker) opens its own descriptor.
            self._fd = open_regular(self.path)
            self._pid = os.getpid()
        return self._fd

    @staticmethod
    def _seek_read(fd: int, offset: int, size: int) -> bytes:
        os.lseek(fd, offset, os.SEEK_SET)
        parts = []
        while size > 0:
            part = os.read(fd, size)
            if not part:
                break
            parts.append(part)
            size -= len(part)
        return b"".join(parts)

    def _check(self, fingerprint: int, field_total: int, identity: Optional[bytes]) -> Tuple[ChunkEntry, ...]:
        m = self.entry
        length = self.length()
        if length < ALIGNMENT + FOOTER_BYTES:
            raise self.fail(f"the file is {length} bytes, shorter than the {ALIGNMENT + FOOTER_BYTES} of a header page and footer; it was truncated")
        if length != m.file_bytes:
            raise self.fail(f"the file is {length} bytes but the manifest says {m.file_bytes}; it was truncated or replaced")

        header = self.read(0, IDENTITY_END)
        (magic, version, header_size, flags, header_fingerprint, shard_index, field_count, first_sample, sample_count,
         chunk_count, alignment, header_crc) = _HEADER.unpack_from(header)
        if magic != HEADER_MAGIC:
            raise self.fail("the header magic is wrong: not a ShardStore shard", offset=0)
        if crc32c(header[:60]) != header_crc:
            raise ChecksumError("the header CRC32C does not match; the header is damaged", self.path, self.index, offset=60)
        if version != 1:
            raise self.fail(f"format version {version} is not 1", offset=8)
        if header_size != HEADER_BYTES or alignment != ALIGNMENT or flags != 0:
            raise self.fail(f"header size {header_size}, alignment {alignment} and flags {flags} should be 64, 4096 and 0", offset=10)
        if field_count != field_total:
            raise self.fail(f"the header says {field_count} fields; the manifest's schema has {field_total}", offset=28)
        if header_fingerprint != fingerprint:
            raise self.fail(f"the schema fingerprint {header_fingerprint:016x} is not the manifest's {fingerprint:016x}", offset=16)
        if (shard_index, first_sample, sample_count) != (self.index, m.first_sample, m.sample_count):
            raise self.fail(
                f"the header says shard {shard_index}, first sample {first_sample}, {sample_count} samples; "
                f"the manifest says shard {self.index}, first sample {m.first_sample}, {m.sample_count} samples", offset=24)
        self._check_identity(header[64:84], identity)

        footer_offset = length - FOOTER_BYTES
        footer = self.read(footer_offset, FOOTER_BYTES)
        table_offset, footer_chunks, table_crc, footer_crc, footer_magic = _FOOTER.unpack(footer)
        if footer_magic != FOOTER_MAGIC:
            raise self.fail("the footer magic is wrong: the file was truncated or is not a shard", offset=footer_offset + 24)
        if crc32c(footer[:20]) != footer_crc:
            raise ChecksumError("the footer CRC32C does not match; the footer is damaged", self.path, self.index, offset=footer_offset + 20)
        if table_offset % 64 != 0 or table_offset < ALIGNMENT or footer_chunks > 2**31 - 1:
            raise self.fail(f"the footer's table offset {table_offset} or chunk count {footer_chunks} is out of range", offset=footer_offset)
        if table_offset + ENTRY_BYTES * footer_chunks + FOOTER_BYTES != length:
            raise self.fail(f"table offset {table_offset} + 48 x {footer_chunks} chunks + 32 is not the file length {length}", offset=footer_offset)
        if footer_chunks > math.ceil((table_offset - ALIGNMENT) / ALIGNMENT):
            raise self.fail(f"the footer declares {footer_chunks} chunks, more than fit before the table at {table_offset}", offset=footer_offset)
        if chunk_count != footer_chunks or footer_chunks != m.chunk_count:
            raise self.fail(f"the header says {chunk_count} chunks, the footer {footer_chunks}, the manifest {m.chunk_count}", offset=48)
        if table_crc != m.table_crc32c:
            raise self.fail(f"the footer's table CRC32C {table_crc:08x} is not the manifest's {m.table_crc32c:08x}", offset=footer_offset + 16)

        table = self.read(table_offset, ENTRY_BYTES * footer_chunks)
        if crc32c(table) != table_crc:
            raise ChecksumError("the chunk table's CRC32C does not match; the table is damaged", self.path, self.index, offset=table_offset)
        return self._entries(table, table_offset, sample_count)

    def _check_identity(self, data: bytes, identity: Optional[bytes]) -> None:
        value, crc = data[:16], struct.unpack("<I", data[16:20])[0]
        if value == bytes(16) and crc == 0:
            shard_identity = None
        elif crc32c(value) != crc or value == bytes(16):
            raise ChecksumError("the dataset identity after the header is damaged (its CRC32C does not match)", self.path, self.index, offset=64)
        else:
            shard_identity = value
        if shard_identity != identity:
            raise self.fail(
                f"the shard belongs to another dataset (identity {shard_identity.hex() if shard_identity else 'none'}, "
                f"the manifest's is {identity.hex() if identity else 'none'})", offset=64)

    def _entries(self, table: bytes, table_offset: int, sample_count: int) -> Tuple[ChunkEntry, ...]:
        entries: List[ChunkEntry] = []
        end = ALIGNMENT
        following = 0
        raw_total = stored_total = 0
        for i in range(len(table) // ENTRY_BYTES):
            (offset, stored, raw, first, count, codec, reserved1, crc, reserved2) = _ENTRY.unpack_from(table, i * ENTRY_BYTES)
            at = table_offset + i * ENTRY_BYTES

            def bad(problem: str) -> ShardFormatError:
                return self.fail(f"chunk-table entry: {problem}", chunk=i, offset=at)

            if offset % ALIGNMENT != 0 or offset < end:
                raise bad(f"offset {offset} is not a multiple of 4096 at or after {end}, where the previous chunk ended")
            if not 1 <= stored <= MAX_CHUNK_BYTES or offset + stored > table_offset:
                raise bad(f"stored size {stored} at offset {offset} does not fit before the table at {table_offset}")
            if not 1 <= count <= 2**31 - 1 or first != following:
                raise bad(f"first sample {first} and count {count}: expected the chunk to start at {following} with at least one sample")
            if codec not in CODEC_NAMES or reserved1 != bytes(3) or reserved2 != 0:
                raise bad(f"codec {codec} is unknown or a reserved byte is not zero")
            if raw > MAX_CHUNK_BYTES:
                raise bad(f"raw size {raw} is more than {MAX_CHUNK_BYTES}")
            if codec == 0 and raw != stored:
                raise bad(f"raw size {raw} differs from stored size {stored} in an uncompressed chunk")
            if codec != 0 and not stored < raw <= stored * (255 if codec in (1, 2) else 32768):
                raise bad(f"raw size {raw} is impossible for {stored} stored bytes of {CODEC_NAMES[codec]}")
            entries.append(ChunkEntry(offset, stored, raw, first, count, codec, crc))
            end = offset + stored
            following += count
            raw_total += raw
            stored_total += stored
        if following != sample_count:
            raise self.fail(f"the chunks hold {following} samples but the shard has {sample_count}", offset=table_offset)
        if (raw_total, stored_total) != (self.entry.raw_bytes, self.entry.stored_bytes):
            raise self.fail(
                f"the chunks hold {raw_total} raw and {stored_total} stored bytes; the manifest says {self.entry.raw_bytes} and {self.entry.stored_bytes}",
                offset=table_offset)
        return tuple(entries)
