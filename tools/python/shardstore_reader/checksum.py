"""CRC32C (Castagnoli): polynomial 0x1EDC6F41, reflected, initial value and final XOR 0xFFFFFFFF."""

from __future__ import annotations

from typing import Callable, List

_POLY_REFLECTED = 0x82F63B78
CHECK_VALUE = 0xE3069283  # crc32c(b"123456789")


def _make_table() -> List[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY_REFLECTED if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _make_table()


def crc32c_python(data: bytes | bytearray | memoryview, crc: int = 0) -> int:
    """Returns the CRC32C of ``data`` (continuing from ``crc``, the value of the preceding bytes), one byte per step."""
    table = _TABLE
    value = crc ^ 0xFFFFFFFF
    for byte in bytes(data):
        value = table[(value ^ byte) & 0xFF] ^ (value >> 8)
    return value ^ 0xFFFFFFFF


def _native() -> Callable[[bytes], int] | None:
    # Debian's python3-crcmod ships a C implementation; it is used only when it gives the check value.
    try:
        import crcmod.predefined  # type: ignore[import-not-found]

        function = crcmod.predefined.mkCrcFun("crc-32c")
    except Exception:  # noqa: BLE001 - any failure means: use the table below.
        return None
    return function if function(b"123456789") == CHECK_VALUE else None


_NATIVE = _native()


def crc32c(data: bytes | bytearray | memoryview) -> int:
    """Returns the CRC32C of ``data``: through crcmod's C code when it is installed, else the table above."""
    if _NATIVE is not None:
        return _NATIVE(bytes(data) if isinstance(data, memoryview) else data)
    return crc32c_python(data)


def implementation() -> str:
    """Names the implementation :func:`crc32c` uses: ``"crcmod"`` or ``"python"``."""
    return "crcmod" if _NATIVE is not None else "python"
