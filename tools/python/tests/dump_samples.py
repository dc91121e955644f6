"""Prints every value of a dataset, one line per sample and field: INDEX NAME SHAPE HEX.

SHAPE is the array's shape as comma-separated numbers (empty for a scalar); HEX is the field's elements as stored
(little-endian; bf16 converted back from float32 to its 16-bit pattern). ``--via samples`` reads with read_sample,
``--via chunks`` with read_chunk, so both paths can be compared with another reader's values.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import shardstore_reader as ssr


def stored_bytes(array: np.ndarray, dtype: str) -> bytes:
    if dtype == "bf16":
        return (np.ascontiguousarray(array, "<f4").view("<u4") >> 16).astype("<u2").tobytes()
    return np.ascontiguousarray(array).tobytes()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--via", choices=("samples", "chunks"), default="samples")
    args = parser.parse_args()
    out = sys.stdout
    with ssr.open_dataset(args.directory) as ds:
        dtypes = {f.name: f.dtype for f in ds.fields}

        def emit(index: int, sample: dict) -> None:
            for name, array in sample.items():
                shape = ",".join(str(d) for d in array.shape)
                out.write(f"{index} {name} {shape} {stored_bytes(array, dtypes[name]).hex()}\n")

        if args.via == "samples":
            for i in range(len(ds)):
                emit(i, ds.read_sample(i))
        else:
            for chunk in ds.iter_chunks():
                for i in range(chunk.count):
                    emit(chunk.first_sample + i, chunk.sample(i))
    return 0


if __name__ == "__main__":
    sys.exit(main())
