"""Reads and checks manifest.json."""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from .errors import ManifestError
from .schema import DTYPES, MAX_FIELDS, MAX_NAME_BYTES, MAX_RANK, MAX_SAMPLE_BYTES, Field, fingerprint

MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 16
MAX_SHARDS = 1_000_000
MAX_METADATA = 65_536
MIN_SHARD_BYTES = 4096 + 32
INT64_MAX = 2**63 - 1
CODECS = ("none", "lz4", "lz4hc", "zstd")

_FILE_NAME = re.compile(r"[A-Za-z0-9._-]{1,255}")
_HEX = re.compile(r"[0-9a-f]+")


@dataclass(frozen=True)
class ShardEntry:
    """One entry of the manifest's shard list."""

    file: str
    first_sample: int
    sample_count: int
    chunk_count: int
    file_bytes: int
    raw_bytes: int
    stored_bytes: int
    table_crc32c: int


@dataclass(frozen=True)
class Manifest:
    """The parts of manifest.json a reader uses."""

    creator: str
    identity: Optional[bytes]
    fields: Tuple[Field, ...]
    sample_count: int
    codec: str
    level: int
    shards: Tuple[ShardEntry, ...]
    metadata: Dict[str, str]


def open_regular(path: str) -> int:
    """Opens ``path`` for reading and returns the descriptor; refuses anything but a regular file without blocking."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ManifestError(f"not a regular file (mode {stat.filemode(mode)}); a dataset's files must be regular files", path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_manifest(path: str) -> Manifest:
    """Reads and checks the manifest at ``path``."""
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        raise ManifestError("no manifest.json: the directory is not a ShardStore dataset", path) from None
    except IsADirectoryError:
        raise ManifestError("not a regular file (a directory); a dataset's files must be regular files", path) from None
    try:
        size = os.fstat(fd).st_size
        if size > MAX_MANIFEST_BYTES:
            raise ManifestError(f"the manifest is {size} bytes, more than the {MAX_MANIFEST_BYTES} a reader accepts", path)
        with os.fdopen(os.dup(fd), "rb") as file:
            data = file.read(MAX_MANIFEST_BYTES + 1)
    finally:
        os.close(fd)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ManifestError("invalid manifest: not valid UTF-8; the dataset is damaged, re-pack it", path, offset=e.start) from None
    try:
        root = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise ManifestError(f"the manifest is not valid JSON ({e}); the dataset is damaged, re-pack it", path) from None
    return _Parser(path).parse(root)


class _Parser:
    def __init__(self, path: str) -> None:
        self._path = path

    def fail(self, problem: str) -> ManifestError:
        return ManifestError(f"invalid manifest: {problem}", self._path)

    def expect(self, condition: bool, problem: str) -> None:
        if not condition:
            raise self.fail(problem)

    def get(self, parent: Dict[str, Any], name: str, kind: type, where: str = "") -> Any:
        label = f"{where}.{name}" if where else f"'{name}'"
        self.expect(name in parent, f"{label} is missing")
        value = parent[name]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        self.expect(ok, f"{label} should be {kind.__name__}, got {type(value).__name__}")
        return value

    def integer(self, parent: Dict[str, Any], name: str, low: int, high: int, where: str = "") -> int:
        value = self.get(parent, name, int, where)
        label = f"{where}.{name}" if where else f"'{name}'"
        self.expect(low <= value <= high, f"{label} is {value}, outside [{low}, {high}]")
        return value

    def parse(self, root: Any) -> Manifest:
        self.expect(_depth(root) <= MAX_DEPTH, f"JSON nested more than {MAX_DEPTH} deep")
        self.expect(isinstance(root, dict), "the root is not a JSON object")
        fmt = self.get(root, "format", str)
        self.expect(fmt == "shardstore", f"'format' is '{fmt}', not 'shardstore'")
        version = self.get(root, "formatVersion", int)
        if version != 1:
            raise self.fail(
                f"format version {version} is newer than this reader understands (1); upgrade the reader"
                if version > 1 else f"unsupported format version {version}")
        identity = None
        if "identity" in root:
            text = root["identity"]
            self.expect(isinstance(text, str) and len(text) == 32 and _HEX.fullmatch(text) is not None and text != "0" * 32,
                        "'identity' is not 32 lower-case hex digits (not all zero)")
            identity = bytes.fromhex(text)
        fields = self.schema(self.get(root, "schema", dict))
        sample_count = self.integer(root, "sampleCount", 0, INT64_MAX)
        codec = self.get(root, "codec", str)
        self.expect(codec in CODECS, f"unknown codec '{codec}'")
        level = self.integer(root, "level", -(2**31), 2**31 - 1)
        self.integer(root, "chunkTargetBytes", 1, 2**31 - 1)
        self.integer(root, "shardTargetBytes", 1, INT64_MAX)
        creator = self.get(root, "creator", str)
        shards = self.shards(self.get(root, "shards", list), sample_count)
        metadata: Dict[str, str] = {}
        if "metadata" in root:
            meta = root["metadata"]
            self.expect(isinstance(meta, dict), "'metadata' is not an object")
            self.expect(len(meta) <= MAX_METADATA, f"'metadata' has more than {MAX_METADATA} entries")
            for key, value in meta.items():
                self.expect(isinstance(value, str), f"metadata '{key}' is not a string")
                metadata[key] = value
        return Manifest(creator, identity, fields, sample_count, codec, level, shards, metadata)

    def schema(self, element: Dict[str, Any]) -> Tuple[Field, ...]:
        items = self.get(element, "fields", list, "schema")
        self.expect(1 <= len(items) <= MAX_FIELDS, f"schema.fields has {len(items)} fields, not 1 to {MAX_FIELDS}")
        fields: List[Field] = []
        names = set()
        for i, item in enumerate(items):
            where = f"schema.fields[{i}]"
            self.expect(isinstance(item, dict), f"{where} is not an object")
            name = self.get(item, "name", str, where)
            encoded = name.encode("utf-8", "surrogatepass")
            self.expect(1 <= len(encoded) <= MAX_NAME_BYTES, f"{where}: the name is {len(encoded)} UTF-8 bytes, not 1 to {MAX_NAME_BYTES}")
            self.expect(not any(unicodedata.category(c) == "Cc" for c in name), f"{where}: the name holds a control character")
            self.expect(name not in names, f"{where}: the name '{name}' is used twice")
            names.add(name)
            dtype = self.get(item, "dtype", str, where)
            self.expect(dtype in DTYPES, f"{where}: unknown dtype '{dtype}'")
            if item.get("variable") is True:
                fields.append(Field(name, dtype, (), True))
                continue
            dims = self.get(item, "shape", list, where)
            self.expect(len(dims) <= MAX_RANK, f"{where}.shape has {len(dims)} dimensions, more than {MAX_RANK}")
            for d in dims:
                self.expect(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 2**31 - 1,
                            f"{where}.shape holds {d!r}, not an integer in [1, {2**31 - 1}]")
            field = Field(name, dtype, tuple(dims), False)
            self.expect(field.sample_bytes <= MAX_SAMPLE_BYTES,
                        f"{where}: one sample is {field.sample_bytes} bytes, more than {MAX_SAMPLE_BYTES}")
            fields.append(field)
        text = self.get(element, "fingerprint", str, "schema")
        expected = fingerprint(fields)
        self.expect(text == expected, f"schema.fingerprint {text} does not match the fields (expected {expected})")
        return tuple(fields)

    def shards(self, items: List[Any], sample_count: int) -> Tuple[ShardEntry, ...]:
        self.expect(1 <= len(items) <= MAX_SHARDS, f"it lists {len(items)} shards, not 1 to {MAX_SHARDS}")
        shards: List[ShardEntry] = []
        names = set()
        following = 0
        for i, item in enumerate(items):
            where = f"shards[{i}]"
            self.expect(isinstance(item, dict), f"{where} is not an object")
            file = self.get(item, "file", str, where)
            self.expect(_FILE_NAME.fullmatch(file) is not None and file not in (".", "..", "manifest.json"),
                        f"{where}.file '{file}' is not a plain file name of 1 to 255 ASCII letters, digits, '.', '_' or '-'")
            self.expect(file not in names, f"{where}.file '{file}' is listed twice")
            names.add(file)
            first = self.integer(item, "firstSample", 0, INT64_MAX, where)
            self.expect(first == following, f"{where}.firstSample is {first}, expected {following}")
            count = self.integer(item, "sampleCount", 1, INT64_MAX, where)
            self.expect(count <= INT64_MAX - following, f"{where}.sampleCount {count} makes the total overflow")
            crc_text = self.get(item, "tableCrc32c", str, where)
            self.expect(len(crc_text) == 8 and _HEX.fullmatch(crc_text) is not None, f"{where}.tableCrc32c '{crc_text}' is not 8 hex digits")
            shards.append(ShardEntry(
                file, first, count,
                self.integer(item, "chunkCount", 0, 2**31 - 1, where),
                self.integer(item, "fileBytes", MIN_SHARD_BYTES, INT64_MAX, where),
                self.integer(item, "rawBytes", 0, INT64_MAX, where),
                self.integer(item, "storedBytes", 0, INT64_MAX, where),
                int(crc_text, 16)))
            following += count
        self.expect(following == sample_count, f"the shards hold {following} samples but 'sampleCount' is {sample_count}")
        return tuple(shards)


def _depth(value: Any) -> int:
    # Iterative, so a deeply nested document cannot exhaust the stack here.
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest
