"""Copies a packed dataset and damages the copy in place, keeping or refreshing the checksums around the damage."""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile

from shardstore_reader.checksum import crc32c

ENTRY = struct.Struct("<QQQQIB3sII")


class DatasetCopy:
    """A copy of a dataset in a temporary directory, removed by ``cleanup``."""

    def __init__(self, source: str) -> None:
        self._root = tempfile.mkdtemp(prefix="shardstore-reader-")
        self.path = os.path.join(self._root, "ds")
        shutil.copytree(source, self.path)
        with open(self.manifest_path, encoding="utf-8") as f:
            self.manifest = json.load(f)

    @property
    def manifest_path(self) -> str:
        return os.path.join(self.path, "manifest.json")

    def shard_path(self, shard: int) -> str:
        return os.path.join(self.path, self.manifest["shards"][shard]["file"])

    def cleanup(self) -> None:
        shutil.rmtree(self._root, ignore_errors=True)

    def write_manifest(self, manifest: object) -> None:
        with open(self.manifest_path, "w", encoding="utf-8") as f:
            json.dump(manifest, f)

    def table(self, shard: int) -> tuple[int, int]:
        """Returns (table offset, chunk count) from the shard's footer."""
        with open(self.shard_path(shard), "rb") as f:
            f.seek(-32, os.SEEK_END)
            offset, count = struct.unpack("<QQ", f.read(16))
        return offset, count

    def entry(self, shard: int, chunk: int) -> tuple:
        offset, _ = self.table(shard)
        with open(self.shard_path(shard), "rb") as f:
            f.seek(offset + 48 * chunk)
            return ENTRY.unpack(f.read(48))

    def patch(self, shard: int, offset: int, data: bytes) -> None:
        with open(self.shard_path(shard), "r+b") as f:
            f.seek(offset)
            f.write(data)

    def flip(self, shard: int, offset: int) -> None:
        with open(self.shard_path(shard), "r+b") as f:
            f.seek(offset)
            byte = f.read(1)[0]
            f.seek(offset)
            f.write(bytes([byte ^ 0x5A]))

    def replace_chunk_keeping_checksums(self, shard: int, chunk: int, stored: bytes) -> None:
        """Overwrites a chunk's stored bytes (same length) and refreshes its entry CRC, the table CRC in the footer
        and the manifest, so that only the chunk's content is wrong."""
        table_offset, count = self.table(shard)
        fields = list(self.entry(shard, chunk))
        assert len(stored) == fields[1]
        self.patch(shard, fields[0], stored)
        fields[7] = crc32c(stored)
        self.patch(shard, table_offset + 48 * chunk, ENTRY.pack(*fields))
        with open(self.shard_path(shard), "rb") as f:
            f.seek(table_offset)
            table_crc = crc32c(f.read(48 * count))
            f.seek(-32, os.SEEK_END)
            footer = bytearray(f.read(32))
        struct.pack_into("<I", footer, 16, table_crc)
        struct.pack_into("<I", footer, 20, crc32c(bytes(footer[:20])))
        self.patch(shard, os.path.getsize(self.shard_path(shard)) - 32, bytes(footer))
        self.manifest["shards"][shard]["tableCrc32c"] = f"{table_crc:08x}"
        self.write_manifest(self.manifest)
