"""A ``torch.utils.data.Dataset`` over a ShardStore dataset (imports torch; the rest of the package does not)."""

from __future__ import annotations

import os
from typing import Callable, Dict, Optional, Sequence

import numpy as np
import torch
import torch.utils.data

from .dataset import Dataset


def to_tensor(array: np.ndarray, dtype: str) -> torch.Tensor:
    """Copies ``array`` (an array the reader handed out for a field of ``dtype``) into a tensor.

    Torch has no unsigned 16, 32 or 64-bit tensors in every version: u16 becomes int32 and u32 int64 (exact); u64
    becomes int64 when every value is below 2^63, otherwise a ValueError. bf16 (handed out as float32) becomes
    torch.bfloat16, which is exact because the values came from bf16.
    """
    if dtype == "u16":
        array = array.astype(np.int32)
    elif dtype == "u32":
        array = array.astype(np.int64)
    elif dtype == "u64":
        if array.size and int(array.max()) >= 2**63:
            raise ValueError(f"a u64 value {int(array.max())} does not fit torch.int64")
        array = array.astype(np.int64)
    tensor = torch.from_numpy(np.array(array, copy=True, order="C"))
    return tensor.to(torch.bfloat16) if dtype == "bf16" else tensor


class TorchDataset(torch.utils.data.Dataset):
    """Map-style dataset: item ``i`` is sample ``i`` as a dict of field name to tensor (``fields`` selects some).

    Variable-length fields come out as 1-d tensors; torch's default collate cannot stack those of different lengths,
    so give a DataLoader a ``collate_fn`` for them. Each worker process opens its own file descriptors.
    """

    def __init__(
        self,
        directory: str,
        fields: Optional[Sequence[str]] = None,
        transform: Optional[Callable[[Dict[str, torch.Tensor]], object]] = None,
        verify_checksums: bool = True,
    ) -> None:
        self.dataset = Dataset(os.fspath(directory), verify_checksums)
        names = [f.name for f in self.dataset.fields] if fields is None else list(fields)
        self._dtypes = {name: self.dataset.field(name).dtype for name in names}
        self.transform = transform

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> object:
        if index < 0:
            index += len(self.dataset)
        sample = self.dataset.read_sample(index)
        item = {name: to_tensor(sample[name], dtype) for name, dtype in self._dtypes.items()}
        return self.transform(item) if self.transform is not None else item
