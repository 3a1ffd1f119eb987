"""The Python side of `npm run bench:read-paths` (harness/bench/read-paths.ts): NumPy, zarr-python 2.13
or h5py reading one layout, driven over JSON lines so the two engines can be interleaved sample by
sample. Run with Debian's interpreter: /usr/bin/python3 read-paths.py <zarr|hdf5> <path>.

Requests (one per line on stdin), one JSON line back on stdout each:
  {"op": "open"}                           -> {"ok": true}        a fresh zarr array / h5py File
  {"op": "pass", "selections": [...], "sum": bool}
                                           -> {"ms": float, "sum": int|null}
  {"op": "close"}                          -> {"ok": true}
  {"op": "touch", "bytes": n}              -> {"ms": float}      np.empty(n) + fill: first-touch cost
Only the reads are timed (each result a fresh C-order array, as the harness's readers return);
the checksum (sum of every value read, as int64) is computed afterwards, outside the timed region.
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

    def open(self):
        if BACKEND == "zarr":
            import zarr
            self.array = zarr.open_array(PATH, mode="r")
        else:
            import h5py
            self.file = h5py.File(PATH, "r")
            self.array = self.file["data"]

    def close(self):
        if self.file is not None:
            self.file.close()
        self.array = self.file = None

    def run_pass(self, selections, want_sum):
        keys = [tuple(slice(s[0], s[1], s[2]) for s in sel) for sel in selections]
        arr = self.array
        ns = 0
        results = [] if want_sum else None
        for key in keys:
            t0 = time.perf_counter_ns()
            out = np.ascontiguousarray(arr[key])
            ns += time.perf_counter_ns() - t0
            if want_sum:
                results.append(out)
            del out
        total = int(sum(int(r.sum(dtype=np.int64)) for r in results)) if want_sum else None
        return {"ms": ns / 1e6, "sum": total}


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
            reply = engine.run_pass(req["selections"], req.get("sum", False))
        elif op == "touch":
            reply = touch(req["bytes"])
        else:
            reply = {"error": f"unknown op {op!r}"}
        _PROTOCOL.write(json.dumps(reply) + "\n")
        _PROTOCOL.flush()


main()
