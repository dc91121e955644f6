"""Fields, dtypes and the schema fingerprint."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Dict, Sequence, Tuple

import numpy as np

# dtype name -> (id in the fingerprint, element size, numpy dtype of the stored little-endian elements).
# bf16 has no numpy dtype: its elements are stored as u16 bit patterns and handed out as float32 (see to_numpy).
DTYPES: Dict[str, Tuple[int, int, np.dtype]] = {
    "u8": (1, 1, np.dtype("u1")),
    "i8": (2, 1, np.dtype("i1")),
    "u16": (3, 2, np.dtype("<u2")),
    "i16": (4, 2, np.dtype("<i2")),
    "u32": (5, 4, np.dtype("<u4")),
    "i32": (6, 4, np.dtype("<i4")),
    "u64": (7, 8, np.dtype("<u8")),
    "i64": (8, 8, np.dtype("<i8")),
    "f16": (9, 2, np.dtype("<f2")),
    "bf16": (10, 2, np.dtype("<u2")),
    "f32": (11, 4, np.dtype("<f4")),
    "f64": (12, 8, np.dtype("<f8")),
}

MAX_RANK = 8
MAX_FIELDS = 1024
MAX_NAME_BYTES = 255
MAX_SAMPLE_BYTES = 2**31 - 57


@dataclass(frozen=True)
class Field:
    """One field of every sample: fixed (``shape``, ``()`` for a scalar) or variable-length (``variable``)."""

    name: str
    dtype: str
    shape: Tuple[int, ...]
    variable: bool

    @property
    def item_size(self) -> int:
        """Bytes per element."""
        return DTYPES[self.dtype][1]

    @property
    def elements(self) -> int:
        """Elements per sample of a fixed field (1 for a scalar)."""
        count = 1
        for dim in self.shape:
            count *= dim
        return count

    @property
    def sample_bytes(self) -> int:
        """Bytes per sample of a fixed field."""
        return self.elements * self.item_size

    @property
    def stored_dtype(self) -> np.dtype:
        """The numpy dtype of the stored elements (``<u2`` bit patterns for bf16)."""
        return DTYPES[self.dtype][2]

    @property
    def numpy_dtype(self) -> np.dtype:
        """The numpy dtype of the arrays the reader hands out (float32 for bf16)."""
        return np.dtype("<f4") if self.dtype == "bf16" else DTYPES[self.dtype][2]


def to_numpy(field: Field, stored: np.ndarray) -> np.ndarray:
    """Converts stored elements to what the reader hands out: bf16 bit patterns become float32, exactly (a bf16 is
    the upper 16 bits of a float32, so shifting the bits up loses nothing, NaN payloads included); other dtypes are
    returned as they are."""
    if field.dtype != "bf16":
        return stored
    return (stored.astype("<u4") << 16).view("<f4")


def fingerprint(fields: Sequence[Field]) -> str:
    """Returns the schema fingerprint as 16 lower-case hex digits (see docs/FORMAT.md, Schema fingerprint)."""
    data = bytearray()
    for field in fields:
        name = field.name.encode("utf-8")
        data.append(len(name))
        data += name
        data.append(1 if field.variable else 0)
        data.append(DTYPES[field.dtype][0])
        data.append(len(field.shape))
        for dim in field.shape:
            data += struct.pack("<i", dim)
    return f"{struct.unpack('<Q', hashlib.sha256(bytes(data)).digest()[:8])[0]:016x}"
