"""Writes real Blosc, LZ4 and zstd frames made by numcodecs (the C libraries zarr-python uses) for
test/support/numcodecs-frames.ts: per case N, N.raw (the bytes) and N.enc (the frame), and prints a
JSON manifest [{"name", "codec", "file"}]. Run as /usr/bin/python3 numcodecs-frames.py OUT_DIR."""
import json
import os
import sys

import numpy as np
from numcodecs import LZ4, Blosc, Zstd

OUT = sys.argv[1]
rng = np.random.default_rng(3)


def smooth(n, dtype):
    dt = np.dtype(dtype)
    if dt.kind == "V":  # typesizes numpy has no number for (3, 20)
        return (np.arange(n * dt.itemsize) // 7 % 251).astype(np.uint8).view(dt)
    return (1000 * np.sin(np.arange(n) / 50.0) + np.arange(n) / 10).astype(dt)


def steps(n, dtype):
    """Runs of equal values: data BloscLZ compresses (it stores smooth data's noisy bytes raw)."""
    dt = np.dtype(dtype)
    if dt.kind == "V":
        return (np.arange(n * dt.itemsize) // 97 % 251).astype(np.uint8).view(dt)
    return (np.arange(n) // 64 % 1000).astype(dt)


def random(n, dtype):
    return rng.integers(0, 256, n * np.dtype(dtype).itemsize, dtype=np.uint8).view(dtype)


def half_random(n, dtype):
    b = smooth(n, dtype).view(np.uint8).copy()
    b[: b.size // 2] = rng.integers(0, 256, b.size // 2, dtype=np.uint8)
    return b.view(dtype)


def periodic(n, period):
    return np.tile(np.arange(1, period + 1, dtype=np.uint8) * 37, n // period + 1)[:n]


SHUFFLES = {"no": Blosc.NOSHUFFLE, "byte": Blosc.SHUFFLE, "bit": Blosc.BITSHUFFLE}
cases = []


def blosc(name, data, cname="lz4", clevel=5, shuffle="byte", blocksize=0):
    codec = Blosc(cname=cname, clevel=clevel, shuffle=SHUFFLES[shuffle], blocksize=blocksize)
    cases.append((name, "blosc", codec, data))


def lz4(name, data, acceleration=1):
    cases.append((name, "lz4", LZ4(acceleration=acceleration), data))


def zstd(name, data, level=1):
    cases.append((name, "zstd", Zstd(level=level), data))


blosc("benchmark chunk: 512² int32, lz4 5, byte shuffle (2 blocks)", smooth(512 * 512, "<i4"))
# Every compressor, shuffle and typesize the decoders cover. Bit shuffle applies to blocks whose
# element count is a multiple of 8 (Blosc leaves other blocks as they are): 50_000 elements.
for cname in ["lz4", "zstd", "blosclz"]:
    for dtype in ["u1", "<i2", "<i4", "<f8", "<c16", "V3", "V20"]:
        for shuffle in SHUFFLES:
            data = (steps if cname == "blosclz" or shuffle == "no" else smooth)(50_000, dtype)
            # Bit shuffle: blocks asked of 8192 elements (Blosc's own choice for 20-byte ones holds 6553).
            blocksize = 8192 * np.dtype(dtype).itemsize if shuffle == "bit" else 0
            blosc(f"{cname} {dtype} {shuffle} shuffle", data, cname=cname, shuffle=shuffle, blocksize=blocksize)
    for dtype in ["<i4", "V3"]:
        blosc(f"{cname} {dtype} byte shuffle, bytes past the last whole element", smooth(50_013, dtype), cname=cname)
for cname in ["zstd", "blosclz"]:
    for clevel in [1, 5, 9]:
        blosc(f"{cname} {clevel}, byte shuffle, 512² int32", smooth(512 * 512, "<i4"), cname=cname, clevel=clevel)
# Bit shuffle works on whole groups of 8 elements: blocks of 1000 int32 are, the last of 1001 is not.
blosc("bit shuffle, last block of 8k + 1 elements (left as is)", smooth(1000 * 3 + 1001, "<i4"), shuffle="bit", blocksize=4000)
blosc("bit shuffle, last block of 8k elements", smooth(1000 * 3 + 8, "<i4"), shuffle="bit", blocksize=4000)
blosc("bit shuffle zstd, 8-byte elements, several blocks", smooth(200_000, "<f8"), cname="zstd", shuffle="bit", blocksize=65536)
blosc("blosclz: long runs", np.repeat(np.arange(40, dtype=np.uint8), 3000), cname="blosclz", shuffle="no")
for p in [2, 3, 5, 9, 17]:
    blosc(f"blosclz: period {p} bytes", periodic(70_000, p), cname="blosclz", shuffle="no")
blosc("blosclz: random (streams stored raw)", random(100_000, "<i4"), cname="blosclz", clevel=9)
blosc("5 blocks, the last partial", smooth(75_001, "<i4"), clevel=1, blocksize=4096)
blosc("625 blocks too small to split", smooth(20_000, "<f8"), clevel=9, blocksize=256)
blosc("lz4hc inside", smooth(100_000, "<i4"), cname="lz4hc")
blosc("incompressible: memcpyed", random(100_000, "<i4"))
blosc("half random: split streams stored raw", half_random(262_144, "<i4"))
blosc("clevel 0: memcpyed", smooth(10_000, "<i4"), clevel=0)
blosc("10 bytes: memcpyed", smooth(10, "u1"))
blosc("empty", smooth(0, "<i4"))
blosc("zeros, 3 blocks", np.zeros(300_000, "<i8"))
for p in [2, 3, 4, 5, 6, 7, 9, 17]:
    blosc(f"period {p} bytes (overlapping matches)", periodic(70_000, p), shuffle="no")
blosc("zlib inside (not covered)", smooth(50_000, "<i4"), cname="zlib")
lz4("lz4: smooth int32", smooth(262_144, "<i4"))
lz4("lz4: acceleration 20", smooth(262_144, "<i4"), acceleration=20)
lz4("lz4: random", random(100_000, "u1"))
lz4("lz4: 1 MiB of zeros", np.zeros(1 << 20, "u1"))
lz4("lz4: empty", smooth(0, "u1"))
for p in [2, 3, 5, 7, 13]:
    lz4(f"lz4: period {p}", periodic(100_000, p))

for level in [1, 3, 5, 9, 19]:
    zstd(f"zstd {level}: smooth int32", smooth(262_144, "<i4"), level=level)
zstd("zstd: random", random(100_000, "u1"))
zstd("zstd: 1 MiB of zeros", np.zeros(1 << 20, "u1"), level=5)

manifest = []
for i, (name, kind, codec, data) in enumerate(cases):
    raw = np.ascontiguousarray(data).view(np.uint8).tobytes()
    enc = bytes(codec.encode(data))
    if raw:  # numcodecs cannot decode its own empty Blosc or LZ4 frame
        assert np.frombuffer(codec.decode(enc), np.uint8).tobytes() == raw, name
    for ext, content in (("raw", raw), ("enc", enc)):
        with open(os.path.join(OUT, f"{i}.{ext}"), "wb") as f:
            f.write(content)
    manifest.append({"name": name, "codec": kind, "file": str(i)})
print(json.dumps(manifest))
