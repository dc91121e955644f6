"""The raw chunk layout: field sections, variable offsets, and arrays over them."""

from __future__ import annotations

from typing import Dict, Iterator, Sequence, Union

import numpy as np

from .schema import Field, to_numpy

SECTION_ALIGNMENT = 64


class VariableField:
    """The samples of one variable-length field in a chunk: ``offsets`` (n + 1 element offsets) and ``values``."""

    def __init__(self, offsets: np.ndarray, values: np.ndarray) -> None:
        self.offsets = offsets
        self.values = values

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> np.ndarray:
        if not -len(self) <= index < len(self):
            raise IndexError(f"sample {index} is outside the chunk's {len(self)} samples")
        index %= len(self)
        return self.values[int(self.offsets[index]):int(self.offsets[index + 1])]

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self[i] for i in range(len(self)))


FieldData = Union[np.ndarray, VariableField]


def _align(position: int) -> int:
    return (position + SECTION_ALIGNMENT - 1) // SECTION_ALIGNMENT * SECTION_ALIGNMENT


def parse(fields: Sequence[Field], count: int, raw: bytes) -> Dict[str, FieldData]:
    """Splits a raw chunk of ``count`` samples into its fields; raises ValueError naming the field when the layout
    does not fit the raw size exactly."""
    buffer = memoryview(raw)
    result: Dict[str, FieldData] = {}
    position = 0
    for field in fields:
        position = _align(position)
        if not field.variable:
            length = count * field.sample_bytes
            if position + length > len(raw):
                raise ValueError(f"field '{field.name}' runs past the end of the chunk")
            stored = np.frombuffer(buffer, field.stored_dtype, count * field.elements, position)
            result[field.name] = to_numpy(field, stored).reshape((count,) + field.shape)
            position += length
            continue
        offsets_length = (count + 1) * 8
        if position + offsets_length > len(raw):
            raise ValueError(f"offsets of field '{field.name}' run past the end of the chunk")
        offsets = np.frombuffer(buffer, "<u8", count + 1, position)
        if offsets[0] != 0:
            raise ValueError(f"first offset of field '{field.name}' is {offsets[0]}, not 0")
        decreasing = np.flatnonzero(offsets[1:] < offsets[:-1])
        if decreasing.size:
            raise ValueError(f"offsets of field '{field.name}' decrease at sample {int(decreasing[0])} of the chunk")
        elements = int(offsets[-1])
        start = _align(position + offsets_length)
        if start > len(raw) or elements > (len(raw) - start) // field.item_size:
            raise ValueError(f"values of field '{field.name}' run past the end of the chunk")
        values = to_numpy(field, np.frombuffer(buffer, field.stored_dtype, elements, start))
        result[field.name] = VariableField(offsets.astype(np.int64), values)
        position = start + elements * field.item_size
    if position != len(raw):
        raise ValueError(f"the fields end at byte {position} but the chunk has {len(raw)} raw bytes")
    return result
