"""The Python side of `npm run bench:read-paths` (harness/bench/read-paths.ts): NumPy, zarr-python 2.13
or h5py reading one layout, driven over JSON lines so the two engines can be interleaved sample by
sample. Run with Debian's interpreter: /usr/bin/python3 read-paths.py <zarr|hdf5> <path>.

Requests (one per line on stdin), one JSON line back on stdout each:
  {"op": "open"}                           -> {"ok": true}        a fresh zarr array / h5py File
  {"op": "pass", "selections": [...], "sum": bool, "reuse": bool}
                                           -> {"ms": float, "sum": int|null, "rchar": int}
  {"op": "close"}                          -> {"ok": true}
  {"op": "touch", "bytes": n}              -> {"ms": float}      np.empty(n) + fill: first-touch cost
Only the reads are timed; the checksum (sum of every value read, as int64) is computed afterwards,
outside the timed region. With "reuse" each read fills a buffer kept per selection shape
(zarr's get_basic_selection(out=...), h5py's read_direct), as the harness's layoutbench engine reuses its
outputs; without, each read returns a fresh array (arr[key]). Compare like with like: on this
machine kind h5py's fresh full read of 64 MiB costs ~250 ms, read_direct into a reused buffer ~13 ms.
"""
import json
import os
import sys
import time

_PROTOCOL = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
os.dup2(2, 1)
sys.stdout = sys.stderr

import numpy as np  # noqa: E402

BACKEND, PATH = sys.argv[1], sys.argv[2]


class Engine:
    def __init__(self):
        self.array = None
        self.file = None
        self.buffers = {}

    def open(self):
        if BACKEND == "zarr":
            import zarr
            self.array = zarr.open_array(PATH, mode="r")
        else:
            import h5py
            self.file = h5py.File(PATH, "r")
            self.array = self.file["data"]

    def buffer(self, shape):
        buf = self.buffers.get(shape)
        if buf is None:
            buf = self.buffers[shape] = np.empty(shape, dtype=self.array.dtype)
        return buf

    def close(self):
        if self.file is not None:
            self.file.close()
        self.array = self.file = None

    def run_pass(self, selections, want_sum, reuse):
        keys = [tuple(slice(s[0], s[1], s[2]) for s in sel) for sel in selections]
        arr = self.array
        ns = 0
        results = [] if want_sum else None
        rchar0 = rchar()
        for sel, key in zip(selections, keys):
            shape = tuple(len(range(s[0], s[1], s[2])) for s in sel)
            buf = self.buffer(shape) if reuse else None
            t0 = time.perf_counter_ns()
            if buf is None:
                out = np.ascontiguousarray(arr[key])
            elif BACKEND == "zarr":
                out = arr.get_basic_selection(key, out=buf)
                out = buf if out is None else out
            else:
                arr.read_direct(buf, source_sel=key)
                out = buf
            ns += time.perf_counter_ns() - t0
            if want_sum:
                results.append(out.copy() if reuse else out)
            del out
        read = rchar() - rchar0
        total = int(sum(int(r.sum(dtype=np.int64)) for r in results)) if want_sum else None
        return {"ms": ns / 1e6, "sum": total, "rchar": read}


def rchar():
    """Bytes read through read syscalls so far (page-cache hits included), from /proc/self/io."""
    with open("/proc/self/io", "r", encoding="latin-1") as f:
        for line in f:
            if line.startswith("rchar:"):
                return int(line.split(":")[1])
    return 0


def touch(nbytes):
    t0 = time.perf_counter_ns()
    a = np.empty(nbytes, dtype=np.uint8)
    a.fill(1)
    return {"ms": (time.perf_counter_ns() - t0) / 1e6}


def main():
    engine = Engine()
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        if op == "open":
            engine.open()
            reply = {"ok": True}
        elif op == "close":
            engine.close()
            reply = {"ok": True}
        elif op == "pass":
            reply = engine.run_pass(req["selections"], req.get("sum", False), req.get("reuse", False))
        elif op == "touch":
            reply = touch(req["bytes"])
        else:
            reply = {"error": f"unknown op {op!r}"}
        _PROTOCOL.write(json.dumps(reply) + "\n")
        _PROTOCOL.flush()


main()
