"""Tests of the reader against a dataset packed by ShardStore, named by $SHARDSTORE_TEST_DATASET (the MSTest
PythonReaderTests packs one and runs these). The dataset has at least two shards, several chunks in shard 0, and
a variable-length field."""

from __future__ import annotations

import os
import random
import unittest

import numpy as np

import shardstore_reader as ssr
from shardstore_reader.checksum import CHECK_VALUE, crc32c_python

from .damage import DatasetCopy

DATASET = os.environ.get("SHARDSTORE_TEST_DATASET")


class Crc32cTests(unittest.TestCase):
    def test_crc32c_checkValue_matchesSpec(self) -> None:
        self.assertEqual(CHECK_VALUE, crc32c_python(b"123456789"))
        self.assertEqual(CHECK_VALUE, ssr.crc32c(b"123456789"))
        self.assertEqual(0, crc32c_python(b""))

    def test_crc32c_randomData_tableAndActiveImplementationAgree(self) -> None:
        rng = random.Random(7)
        for length in (1, 3, 64, 1000, 4099):
            data = bytes(rng.randrange(256) for _ in range(length))
            self.assertEqual(crc32c_python(data), ssr.crc32c(data), f"length {length}")


@unittest.skipUnless(DATASET, "set SHARDSTORE_TEST_DATASET to a packed dataset (PythonReaderTests does)")
class DatasetTests(unittest.TestCase):
    def setUp(self) -> None:
        self.copy = DatasetCopy(DATASET or "")

    def tearDown(self) -> None:
        self.copy.cleanup()

    def open(self) -> ssr.Dataset:
        return ssr.open_dataset(self.copy.path)

    def first_sample_of(self, ds: ssr.Dataset, shard: int, chunk: int) -> int:
        return ds.manifest.shards[shard].first_sample + ds.chunk_entry(shard, chunk).first_sample

    def test_open_validDataset_readsEveryChunkAndSample(self) -> None:
        with self.open() as ds:
            self.assertGreaterEqual(ds.shard_count, 2)
            seen = 0
            for chunk in ds.iter_chunks():
                self.assertEqual(seen, chunk.first_sample)
                for i in range(chunk.count):
                    by_sample = ds.read_sample(chunk.first_sample + i)
                    for name, value in chunk.sample(i).items():
                        np.testing.assert_array_equal(value, by_sample[name])
                seen += chunk.count
            self.assertEqual(len(ds), seen)

    def test_readSample_outsideDataset_raisesIndexError(self) -> None:
        with self.open() as ds:
            with self.assertRaises(IndexError):
                ds.read_sample(len(ds))
            with self.assertRaises(IndexError):
                ds.read_chunk(ds.shard_count, 0)

    def test_readChunk_corruptedChunk_raisesChecksumErrorNamingPlace(self) -> None:
        with self.open() as ds:
            self.assertGreaterEqual(ds.chunk_count(0), 2)
            entry = ds.chunk_entry(0, 1)
            first = self.first_sample_of(ds, 0, 1)
        self.copy.flip(0, entry.offset + entry.stored_size // 2)
        with self.open() as ds:
            with self.assertRaises(ssr.ChecksumError) as caught:
                ds.read_chunk(0, 1)
            e = caught.exception
            self.assertEqual((self.copy.shard_path(0), 0, 1), (e.path, e.shard, e.chunk))
            self.assertIn("shard 0, chunk 1", str(e))
            self.assertIn(self.copy.manifest["shards"][0]["file"], str(e))
            with self.assertRaises(ssr.ChecksumError) as caught:
                ds.read_sample(first)
            self.assertEqual(first, caught.exception.sample)
            self.assertIn(f"sample {first}", str(caught.exception))
            ds.read_chunk(0, 0)  # the other chunks stay readable

    def test_readChunk_undecodableChunkWithValidChecksums_raisesFormatError(self) -> None:
        with self.open() as ds:
            entry = ds.chunk_entry(0, 0)
        self.copy.replace_chunk_keeping_checksums(0, 0, bytes([0xFF]) * entry.stored_size)
        with self.open() as ds:
            with self.assertRaises(ssr.ShardFormatError) as caught:
                ds.read_chunk(0, 0)
            self.assertNotIsInstance(caught.exception, ssr.ChecksumError)
            self.assertEqual((0, 0), (caught.exception.shard, caught.exception.chunk))
            self.assertIn("malformed", str(caught.exception))

    def test_open_truncatedShard_raisesFormatErrorNamingFile(self) -> None:
        path = self.copy.shard_path(1)
        os.truncate(path, os.path.getsize(path) - 1)
        with self.assertRaises(ssr.ShardFormatError) as caught:
            self.open()
        self.assertEqual((path, 1), (caught.exception.path, caught.exception.shard))
        self.assertIn("truncated", str(caught.exception))

    def test_open_damagedHeader_raisesChecksumError(self) -> None:
        self.copy.flip(0, 40)
        with self.assertRaises(ssr.ChecksumError) as caught:
            self.open()
        self.assertIn("header", str(caught.exception))

    def test_open_damagedChunkTable_raisesChecksumError(self) -> None:
        table_offset, _ = self.copy.table(0)
        self.copy.flip(0, table_offset + 20)
        with self.assertRaises(ssr.ChecksumError) as caught:
            self.open()
        self.assertIn("table", str(caught.exception))

    def test_open_damagedFooter_raisesFormatError(self) -> None:
        self.copy.flip(1, os.path.getsize(self.copy.shard_path(1)) - 3)
        with self.assertRaises(ssr.ShardFormatError) as caught:
            self.open()
        self.assertIn("footer", str(caught.exception))

    def test_open_missingManifest_raisesManifestError(self) -> None:
        os.remove(self.copy.manifest_path)
        with self.assertRaises(ssr.ManifestError) as caught:
            self.open()
        self.assertIn("not a ShardStore dataset", str(caught.exception))

    def test_open_manifestNotJson_raisesManifestError(self) -> None:
        with open(self.copy.manifest_path, "w", encoding="utf-8") as f:
            f.write('{"format": "shardstore", ')
        with self.assertRaises(ssr.ManifestError) as caught:
            self.open()
        self.assertIn("not valid JSON", str(caught.exception))

    def test_open_newerFormatVersion_raisesManifestError(self) -> None:
        self.copy.manifest["formatVersion"] = 2
        self.copy.write_manifest(self.copy.manifest)
        with self.assertRaises(ssr.ManifestError) as caught:
            self.open()
        self.assertIn("newer", str(caught.exception))

    def test_open_fingerprintMismatch_raisesManifestError(self) -> None:
        self.copy.manifest["schema"]["fields"][0]["name"] += "x"
        self.copy.write_manifest(self.copy.manifest)
        with self.assertRaises(ssr.ManifestError) as caught:
            self.open()
        self.assertIn("fingerprint", str(caught.exception))

    def test_open_shardOfAnotherDataset_raisesFormatError(self) -> None:
        self.copy.manifest["identity"] = "0123456789abcdef0123456789abcdef"
        self.copy.write_manifest(self.copy.manifest)
        with self.assertRaises(ssr.ShardFormatError) as caught:
            self.open()
        self.assertIn("another dataset", str(caught.exception))

    def test_open_sampleCountsDisagree_raisesFormatError(self) -> None:
        shards = self.copy.manifest["shards"]
        shards[0]["sampleCount"] -= 1
        shards[1]["firstSample"] -= 1
        shards[1]["sampleCount"] += 1
        self.copy.write_manifest(self.copy.manifest)
        with self.assertRaises(ssr.ShardFormatError) as caught:
            self.open()
        self.assertEqual(0, caught.exception.shard)

    @unittest.skipUnless(hasattr(os, "mkfifo"), "needs mkfifo")
    def test_open_fifoInPlaceOfShard_raisesAtOnce(self) -> None:
        path = self.copy.shard_path(1)
        os.remove(path)
        os.mkfifo(path)
        with self.assertRaises(ssr.ShardFormatError) as caught:
            self.open()  # a reader that waited on the FIFO would hang here; the test's caller has a timeout
        self.assertIn("not a regular file", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
