"""Tests of TorchDataset against the dataset named by $SHARDSTORE_TEST_DATASET; they need torch."""

from __future__ import annotations

import os
import sys
import unittest

import numpy as np

import shardstore_reader as ssr

DATASET = os.environ.get("SHARDSTORE_TEST_DATASET")


@unittest.skipUnless(DATASET, "set SHARDSTORE_TEST_DATASET to a packed dataset (PythonReaderTests does)")
class TorchDatasetTests(unittest.TestCase):
    def test_import_reader_doesNotImportTorch(self) -> None:
        import subprocess

        code = "import sys, shardstore_reader as s; s.open_dataset(sys.argv[1]); print('torch' in sys.modules)"
        result = subprocess.run([sys.executable, "-c", code, DATASET or ""], capture_output=True, text=True, check=True)
        self.assertEqual("False", result.stdout.strip())

    def test_getitem_everySample_matchesReaderValues(self) -> None:
        import torch

        with ssr.open_dataset(DATASET or "") as ds:
            # u64 values of 2^63 and above do not fit torch.int64: test_toTensor_u64 covers them.
            names = [f.name for f in ds.fields if f.dtype != "u64"]
            data = ssr.TorchDataset(DATASET or "", fields=names)
            self.assertEqual(len(ds), len(data))
            for i in range(len(ds)):
                expected = ds.read_sample(i)
                item = data[i]
                self.assertEqual(names, list(item))
                for name, tensor in item.items():
                    dtype = ds.field(name).dtype
                    self.assertIsInstance(tensor, torch.Tensor)
                    self.assertEqual(tuple(expected[name].shape), tuple(tensor.shape), name)
                    if dtype == "bf16":
                        self.assertEqual(torch.bfloat16, tensor.dtype)
                        actual = tensor.float().numpy()
                    else:
                        actual = tensor.numpy()
                    np.testing.assert_array_equal(expected[name].astype(actual.dtype), actual, f"sample {i} field {name}")

    def test_toTensor_u64_convertsBelow2Pow63AndRefusesAbove(self) -> None:
        import torch

        from shardstore_reader.torch_dataset import to_tensor

        tensor = to_tensor(np.array([0, 5, 2**63 - 1], "<u8"), "u64")
        self.assertEqual(torch.int64, tensor.dtype)
        self.assertEqual([0, 5, 2**63 - 1], tensor.tolist())
        with self.assertRaises(ValueError):
            to_tensor(np.array([1, 2**63], "<u8"), "u64")
        self.assertEqual(torch.int32, to_tensor(np.array([65535], "<u2"), "u16").dtype)
        self.assertEqual([2**32 - 1], to_tensor(np.array([2**32 - 1], "<u4"), "u32").tolist())

    def test_dataLoader_twoWorkers_yieldsEverySampleOnce(self) -> None:
        import torch.utils.data

        with ssr.open_dataset(DATASET or "") as ds:
            fixed = [f.name for f in ds.fields if not f.variable and f.dtype not in ("u64",)]
            expected = [ds.read_sample(i) for i in range(len(ds))]
        data = ssr.TorchDataset(DATASET or "", fields=fixed)
        loader = torch.utils.data.DataLoader(data, batch_size=7, num_workers=2, shuffle=False)
        index = 0
        for batch in loader:
            rows = len(next(iter(batch.values())))
            for r in range(rows):
                for name in fixed:
                    actual = batch[name][r]
                    actual = actual.float().numpy() if ds.field(name).dtype == "bf16" else actual.numpy()
                    np.testing.assert_array_equal(expected[index + r][name].astype(actual.dtype), actual, f"sample {index + r} field {name}")
            index += rows
        self.assertEqual(len(expected), index)


if __name__ == "__main__":
    unittest.main()
