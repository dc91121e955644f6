"""A ShardStore dataset directory opened for reading."""

from __future__ import annotations

import bisect
import os
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np

from . import chunk as layout
from .chunk import FieldData, VariableField
from .codecs import DecodeError, decode
from .checksum import crc32c
from .errors import ChecksumError, ShardFormatError, ShardStoreError
from .manifest import Manifest, read_manifest
from .schema import Field, fingerprint
from .shard import CODEC_NAMES, ChunkEntry, ShardFile


class Chunk:
    """One decoded, checked chunk: ``count`` consecutive samples from global index ``first_sample``.

    ``fields`` maps each field name to a read-only numpy array of shape ``(count, *shape)`` for a fixed field, or a
    :class:`VariableField` for a variable one.
    """

    def __init__(self, shard: int, index: int, first_sample: int, count: int, fields: Dict[str, FieldData]) -> None:
        self.shard = shard
        self.index = index
        self.first_sample = first_sample
        self.count = count
        self.fields = fields

    def __getitem__(self, name: str) -> FieldData:
        return self.fields[name]

    def sample(self, index: int) -> Dict[str, np.ndarray]:
        """Returns sample ``index`` of the chunk (0-based within the chunk) as a dict of field name to array."""
        if not 0 <= index < self.count:
            raise IndexError(f"sample {index} is outside the chunk's {self.count} samples")
        return {name: data[index] if isinstance(data, VariableField) else data[index, ...] for name, data in self.fields.items()}


class Dataset:
    """A dataset directory: its manifest and every shard, opened and checked.

    ``verify_checksums`` (default True) checks each chunk's CRC32C before any of it is handed out. Samples come out
    as dicts of field name to numpy array: a fixed field as an array of its shape (a 0-d array for a scalar), a
    variable field as a 1-d array. Arrays are read-only views of the decoded chunk. bf16 fields come out as float32
    (exact); every other dtype as its own numpy dtype (f16 as float16).
    """

    def __init__(self, directory: str, verify_checksums: bool = True) -> None:
        self.directory = os.fspath(directory)
        self.verify_checksums = verify_checksums
        self.manifest: Manifest = read_manifest(os.path.join(self.directory, "manifest.json"))
        self.fields: Tuple[Field, ...] = self.manifest.fields
        fingerprint_value = int(fingerprint(self.fields), 16)
        self._shards: List[ShardFile] = []
        try:
            for i, entry in enumerate(self.manifest.shards):
                self._shards.append(ShardFile(os.path.join(self.directory, entry.file), i, entry, fingerprint_value, len(self.fields), self.manifest.identity))
        except BaseException:
            self.close()
            raise
        self._shard_firsts = [s.first_sample for s in self.manifest.shards]
        self._cached: Optional[Chunk] = None

    # -- the dataset ------------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self.manifest.sample_count

    def __enter__(self) -> "Dataset":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes every shard file."""
        for shard in self._shards:
            shard.close()
        self._cached = None

    @property
    def shard_count(self) -> int:
        """Number of shards."""
        return len(self._shards)

    def chunk_count(self, shard: int) -> int:
        """Number of chunks in ``shard``."""
        return len(self._shard(shard).chunks)

    def chunk_entry(self, shard: int, chunk: int) -> ChunkEntry:
        """The chunk-table entry of ``chunk`` in ``shard``."""
        return self._entry(self._shard(shard), chunk)

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(f"no field '{name}'; the fields are {', '.join(f.name for f in self.fields)}")

    def locate(self, index: int) -> Tuple[int, int, int]:
        """Returns (shard, chunk, index within the chunk) of global sample ``index``."""
        if not 0 <= index < len(self):
            raise IndexError(f"sample {index} is outside the dataset's {len(self)} samples")
        s = bisect.bisect_right(self._shard_firsts, index) - 1
        shard = self._shards[s]
        within = index - self._shard_firsts[s]
        c = bisect.bisect_right(shard.chunk_firsts, within) - 1
        return s, c, within - shard.chunks[c].first_sample

    # -- reading ----------------------------------------------------------------------------------------------------

    def read_chunk(self, shard: int, chunk: int) -> Chunk:
        """Reads, checks and decodes ``chunk`` of ``shard``."""
        s = self._shard(shard)
        entry = self._entry(s, chunk)
        length = s.length()
        if entry.offset + entry.stored_size > length:
            raise ShardFormatError(
                f"the chunk's {entry.stored_size} bytes at offset {entry.offset} lie past the end of the file ({length} bytes); it was truncated",
                s.path, shard, chunk, offset=entry.offset)
        stored = s.read(entry.offset, entry.stored_size)
        if self.verify_checksums:
            actual = crc32c(stored)
            if actual != entry.crc32c:
                raise ChecksumError(
                    f"the chunk's CRC32C is {actual:08x}, the table says {entry.crc32c:08x}: the chunk is damaged",
                    s.path, shard, chunk, offset=entry.offset)
        try:
            raw = decode(entry.codec, stored, entry.raw_size)
            fields = layout.parse(self.fields, entry.sample_count, raw)
        except (DecodeError, ValueError) as e:
            raise ShardFormatError(
                f"the {CODEC_NAMES[entry.codec]} chunk is malformed: {e}", s.path, shard, chunk, offset=entry.offset) from None
        return Chunk(shard, chunk, s.entry.first_sample + entry.first_sample, entry.sample_count, fields)

    def read_sample(self, index: int) -> Dict[str, np.ndarray]:
        """Reads global sample ``index`` as a dict of field name to array (the last chunk read is kept for the next)."""
        s, c, within = self.locate(index)
        cached = self._cached
        if cached is None or cached.shard != s or cached.index != c:
            try:
                cached = self.read_chunk(s, c)
            except ShardStoreError as e:
                raise e.at_sample(index) from None
            self._cached = cached
        return cached.sample(within)

    def __getitem__(self, index: int) -> Dict[str, np.ndarray]:
        if index < 0:
            index += len(self)
        return self.read_sample(index)

    def __iter__(self) -> Iterator[Dict[str, np.ndarray]]:
        for s in range(self.shard_count):
            for c in range(self.chunk_count(s)):
                chunk = self.read_chunk(s, c)
                for i in range(chunk.count):
                    yield chunk.sample(i)

    def iter_chunks(self) -> Iterator[Chunk]:
        """Reads every chunk in order."""
        for s in range(self.shard_count):
            for c in range(self.chunk_count(s)):
                yield self.read_chunk(s, c)

    def _shard(self, shard: int) -> ShardFile:
        if not 0 <= shard < len(self._shards):
            raise IndexError(f"shard {shard} is outside the dataset's {len(self._shards)} shards")
        return self._shards[shard]

    @staticmethod
    def _entry(shard: ShardFile, chunk: int) -> ChunkEntry:
        if not 0 <= chunk < len(shard.chunks):
            raise IndexError(f"chunk {chunk} is outside shard {shard.index}'s {len(shard.chunks)} chunks")
        return shard.chunks[chunk]


def open_dataset(directory: str, verify_checksums: bool = True) -> Dataset:
    """Opens the dataset at ``directory``: reads its manifest and checks every shard's header, footer and table."""
    return Dataset(directory, verify_checksums)


__all__ = ["Chunk", "Dataset", "VariableField", "open_dataset"]
