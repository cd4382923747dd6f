"""The tensors of a ``.safetensors`` file as read-only arrays mapped from the file, not copied.

Why: the serving process needs the encoder's embedding tables (the 30,522 × 384 word table is
47 MB) only for the few rows of the words it is asked, and needs the six layers' weights in numpy
not at all once onnxruntime runs them from its cached graph. ``safetensors.numpy.load_file`` reads
the whole 90 MB file into memory; a mapping costs only the pages a question touches (measured in
``make bench``'s serving child, README "Round 10 of issue 13").

The format (documented by the safetensors project): an unsigned 64-bit little-endian header
length, a JSON header naming each tensor's ``dtype``, ``shape`` and ``data_offsets`` (from the end
of the header), then the raw little-endian data. Only the dtypes below are mapped; anything else
raises ``ValueError`` and the caller reads the file the ordinary way.
"""
from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import numpy as np

DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8"), "I32": np.dtype("<i4")}
MAX_HEADER = 100 * 2**20  # the format's own limit on the header's size


def mapped_tensors(path: str | Path) -> dict[str, np.ndarray]:
    """Each tensor of the file by name, a read-only view of the mapped file (plain ``ndarray``:
    indexing it costs what indexing any array costs)."""
    if sys.byteorder != "little":  # pragma: no cover - the data are little-endian
        raise ValueError("mapped tensors need a little-endian machine")
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        if not 0 < size <= MAX_HEADER:
            raise ValueError(f"{path}: not a safetensors header ({size} bytes)")
        header = json.loads(f.read(size))
    start = 8 + size
    whole = np.memmap(path, dtype=np.uint8, mode="r")
    out: dict[str, np.ndarray] = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        dtype = DTYPES.get(spec.get("dtype"))
        if dtype is None:
            raise ValueError(f"{path}: tensor {name} has dtype {spec.get('dtype')!r}, not mapped")
        begin, end = (start + int(o) for o in spec["data_offsets"])
        shape = tuple(int(n) for n in spec["shape"])
        if end > whole.size or end - begin != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
            raise ValueError(f"{path}: tensor {name}'s offsets do not match its shape")
        out[name] = whole[begin:end].view(np.ndarray).view(dtype).reshape(shape)
    return out
