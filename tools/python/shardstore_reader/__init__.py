"""A reader for ShardStore datasets, written from docs/FORMAT.md: manifest, shards, chunks (none, lz4, lz4hc, zstd),
CRC32C checks, numpy arrays out.

    import shardstore_reader as ssr
    with ssr.open_dataset("DIR") as ds:
        sample = ds[0]                 # {"image": ndarray(784,), "label": ndarray(())}
        chunk = ds.read_chunk(0, 0)    # chunk["image"] is ndarray(n, 784)

``TorchDataset`` (a torch.utils.data.Dataset) is imported only when it is used, so the reader works without torch.
"""

from __future__ import annotations

from typing import Any

from .chunk import VariableField
from .checksum import crc32c
from .dataset import Chunk, Dataset, open_dataset
from .errors import ChecksumError, ManifestError, ShardFormatError, ShardStoreError
from .schema import Field

__all__ = [
    "Chunk",
    "ChecksumError",
    "Dataset",
    "Field",
    "ManifestError",
    "ShardFormatError",
    "ShardStoreError",
    "TorchDataset",
    "VariableField",
    "crc32c",
    "open_dataset",
]


def __getattr__(name: str) -> Any:
    if name == "TorchDataset":
        from .torch_dataset import TorchDataset

        return TorchDataset
    raise AttributeError(f"module 'shardstore_reader' has no attribute '{name}'")
