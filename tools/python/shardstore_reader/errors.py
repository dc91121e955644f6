"""Exceptions raised for malformed or damaged datasets."""

from __future__ import annotations

from typing import Optional


class ShardStoreError(ValueError):
    """A dataset is malformed or damaged.

    The attributes say where: ``path`` (the file), ``shard`` (its index in the manifest), ``chunk`` (within the
    shard), ``sample`` (global sample index) and ``offset`` (byte offset in the file); each is None where it does not
    apply. The message names all of those that are set.
    """

    def __init__(
        self,
        problem: str,
        path: Optional[str] = None,
        shard: Optional[int] = None,
        chunk: Optional[int] = None,
        sample: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> None:
        self.problem = problem
        self.path = path
        self.shard = shard
        self.chunk = chunk
        self.sample = sample
        self.offset = offset
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.shard is not None:
            where.append(f"shard {self.shard}")
        if self.chunk is not None:
            where.append(f"chunk {self.chunk}")
        if self.sample is not None:
            where.append(f"sample {self.sample}")
        if self.offset is not None:
            where.append(f"byte offset {self.offset}")
        prefix = f"{self.path}: " if self.path is not None else ""
        place = ", ".join(where)
        return f"{prefix}{place + ': ' if place else ''}{self.problem}"

    def at_sample(self, sample: int) -> "ShardStoreError":
        """Returns a copy of this error of the same type that also names ``sample``."""
        return type(self)(self.problem, self.path, self.shard, self.chunk, sample, self.offset)


class ManifestError(ShardStoreError):
    """The manifest is missing, not valid JSON, or breaks a rule of the format."""


class ShardFormatError(ShardStoreError):
    """A shard's header, footer, chunk table or a chunk's content breaks a rule of the format."""


class ChecksumError(ShardFormatError):
    """A CRC32C stored in a shard does not match the bytes it covers."""
