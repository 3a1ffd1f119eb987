"""The Python reference engine: NumPy, h5py and zarr-python reading the harness's own files.

A long-lived worker driven by harness/engines/python.ts. It speaks JSON lines: one request on stdin,
one response line on stdout; a failure is {"error": "<one line>"}; nothing else ever reaches stdout
(file descriptor 1 is pointed at stderr at start, so even C libraries cannot write into the protocol).

Requests:
  {"op": "hello"}                        -> versions, the HDF5 plugin path, the filters HDF5 can load
  {"op": "open", "backend", "path", "layout", ...} -> {"ok": true, "openMs"}
                                         (with "remote": {"kind": "http" | "s3", ...} the layout's
                                         objects are read from storage: reference_remote.py)
  {"op": "pass", "selections": [[[start, stop, step], ...], ...]}
                                         -> {"ms", "readBytes", "writeBytes", "majorFaults", "digests"}
  {"op": "close"}                        -> {"ok": true}   (every mapping and descriptor released)
  {"op": "quit"}                         -> {"ok": true}, then exit

Measurement rules mirror harness/run/sampler.ts and the layoutbench engine: only the read of each selection
into a C-order in-memory array is timed; that array is reused from one read to the next (see
OutputBuffers); I/O counters are taken around the pass; digests (sha256 of each result's C-order
bytes) are computed outside the timed region so the harness can verify every read against its
generator without shipping data back.

Run with Debian's interpreter: /usr/bin/python3 (python3-numpy, python3-h5py, python3-zarr).
"""
import gc
import glob
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections import OrderedDict

# The protocol channel is a private copy of fd 1; fd 1 itself then goes to stderr.
_PROTOCOL = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
os.dup2(2, 1)
sys.stdout = sys.stderr

DEBIAN_PLUGIN_PACKAGE = "hdf5-filter-plugin"
# HDF5 filter ids the harness writes (harness/backends/hdf5/filters.ts).
HDF5_FILTERS = {"deflate": 1, "shuffle": 2, "blosc": 32001, "lz4": 32004, "zstd": 32015}
MADVISE = {"normal": "MADV_NORMAL", "random": "MADV_RANDOM", "sequential": "MADV_SEQUENTIAL"}
# Output buffers kept between passes beyond those the current pass uses (OutputBuffers).
OUTPUT_CACHE_BYTES = 512 * 1024 * 1024
# h5py results smaller than this are read with ds[key] rather than read_direct (see run_pass).
H5PY_DIRECT_BYTES = 64 * 1024


def debian_plugin_dir():
    """Debian's HDF5 plugin folder, from the package's file list (a glob if dpkg is unavailable)."""
    try:
        listing = subprocess.run(["dpkg", "-L", DEBIAN_PLUGIN_PACKAGE], capture_output=True, text=True, timeout=10)
        for line in listing.stdout.splitlines():
            if line.rstrip("/").endswith("/plugins") and os.path.isdir(line):
                return line.rstrip("/")
    except (OSError, subprocess.SubprocessError):
        pass
    found = sorted(glob.glob("/usr/lib/*/hdf5/serial/plugins"))
    return found[0] if found else None


def configure_plugin_path():
    """HDF5 reads HDF5_PLUGIN_PATH when the library starts, so this runs before h5py is imported.
    A path the user set is kept; Debian's folder is appended to it."""
    folder = debian_plugin_dir()
    current = os.environ.get("HDF5_PLUGIN_PATH")
    if folder and (not current or folder not in current.split(":")):
        os.environ["HDF5_PLUGIN_PATH"] = folder if not current else current + ":" + folder
    return os.environ.get("HDF5_PLUGIN_PATH")


PLUGIN_PATH = configure_plugin_path()

try:
    import numpy as np
except ImportError:
    np = None
try:
    import h5py
except ImportError:
    h5py = None
try:
    import zarr
except ImportError:
    zarr = None
try:
    import numcodecs
except ImportError:
    numcodecs = None
import reference_remote


class RequestError(Exception):
    """A request the worker refuses; its message is sent as the error line."""


def one_line(text):
    return " ".join(str(text).split())


def io_counters():
    """read_bytes / write_bytes of this process (bytes to and from storage, mmap faults included)."""
    values = {}
    try:
        with open("/proc/self/io", "r", encoding="latin-1") as f:
            for line in f:
                key, _, value = line.partition(":")
                values[key] = int(value)
    except OSError:
        pass
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_majflt
    return values.get("read_bytes", 0), values.get("write_bytes", 0), faults


def hello():
    filters = {}
    if h5py is not None:
        from h5py import h5z
        filters = {name: bool(h5z.filter_avail(fid)) for name, fid in HDF5_FILTERS.items()}
    blosc = []
    blosc_threads = None
    if numcodecs is not None:
        try:
            from numcodecs import blosc as nc_blosc
            blosc = list(nc_blosc.list_compressors())
            # zarr-python decodes in the main thread, where numcodecs lets Blosc use its threads.
            blosc_threads = nc_blosc.get_nthreads() if hasattr(nc_blosc, "get_nthreads") else None
        except ImportError:
            pass
    try:
        import tensorstore
        tensorstore_version = getattr(tensorstore, "__version__", "unknown")
    except ImportError:
        tensorstore_version = None
    return {
        "python": platform.python_version(),
        "executable": sys.executable,
        "numpy": np.__version__ if np is not None else None,
        "h5py": h5py.version.version if h5py is not None else None,
        "hdf5": h5py.version.hdf5_version if h5py is not None else None,
        "zarr": zarr.__version__ if zarr is not None else None,
        "numcodecs": numcodecs.__version__ if numcodecs is not None else None,
        "hdf5_plugin_path": PLUGIN_PATH,
        "hdf5_filters": filters,
        "blosc_compressors": blosc,
        "blosc_threads": blosc_threads,
        "tensorstore": tensorstore_version,
        "remote": reference_remote.versions(),
    }


class OutputBuffers:
    """C-order arrays that reads land in, one per selection shape and dtype, reused across reads,
    passes and reopens (they outlive close, like the layoutbench engine's per-case buffers outlive its cold
    reopens). Why: the layoutbench engine reads into reused buffers, and the first touch of fresh memory costs
    ~12-15 us per 4 KiB page here (200-300 ms per 64 MiB), so a fresh result per read would time the
    allocator's page faults rather than the library's read. New buffers are touched when allocated,
    outside the timed region. Buffers not used by the current pass are dropped, least recently used
    first, once all of them together exceed OUTPUT_CACHE_BYTES."""

    def __init__(self, cap_bytes=OUTPUT_CACHE_BYTES):
        self.cap_bytes = cap_bytes
        self.buffers = OrderedDict()  # (shape, dtype.str) -> ndarray, least recently used first
        self.nbytes = 0

    def for_pass(self, shapes, dtype):
        """One buffer per entry of `shapes` (selections of equal shape share one), allocated and
        touched now if new."""
        dtype = np.dtype(dtype)
        outs = []
        used = set()
        for shape in shapes:
            key = (shape, dtype.str)
            out = self.buffers.get(key)
            if out is None:
                out = np.empty(shape, dtype=dtype)
                out.fill(0)  # the first touch: page faults happen here, not in a timed read
                self.buffers[key] = out
                self.nbytes += out.nbytes
            self.buffers.move_to_end(key)
            used.add(key)
            outs.append(out)
        for key in list(self.buffers):
            if self.nbytes <= self.cap_bytes:
                break
            if key not in used:
                self.nbytes -= self.buffers.pop(key).nbytes
        return outs


class Worker:
    def __init__(self):
        self.backend = None
        self.path = None
        self.array = None  # what selections are read from
        self.file = None  # h5py.File
        self.mmap = None  # the memmap's mmap.mmap
        self.remote = None  # reference_remote.RemoteOpen of a remote open
        self.remote_spec = None  # the request's "remote" of the last remote open, to describe its failures
        self.outputs = OutputBuffers()

    # ---- open / close ------------------------------------------------------------------------------

    def open(self, req):
        if self.array is not None:
            raise RequestError("an array is already open; send close first")
        if np is None:
            raise RequestError("python3-numpy not installed: apt-get install python3-numpy")
        if req.get("writable"):
            raise RequestError("the reference engine only reads; writes run in the layoutbench engine")
        backend = req.get("backend")
        path = req.get("path")
        layout = req.get("layout") or {}
        if not isinstance(path, str):
            raise RequestError("open needs a 'path'")
        if backend not in ("memmap", "zarr", "hdf5"):
            raise RequestError(f"unknown backend {backend!r}: expected memmap, zarr or hdf5")
        remote = req.get("remote")
        self.remote_spec = remote
        if remote is not None and backend == "memmap":
            raise RequestError("numpy.load maps local files only; remote memmap runs in the layoutbench engine (download, then map)")
        gc.collect()  # leftovers of an earlier array must not be freed inside the timed open
        self.backend, self.path = backend, path
        try:
            t0 = time.perf_counter_ns()
            if remote is not None:
                self._open_remote(remote, backend, path, layout, req.get("datasetPath") or "/data")
            elif backend == "memmap":
                self._open_memmap(path, layout)
            elif backend == "zarr":
                self._open_zarr(path, layout)
            else:
                self._open_hdf5(path, req.get("datasetPath") or "/data")
            ms = (time.perf_counter_ns() - t0) / 1e6
            self._check_array(req)
        except Exception:
            # Leave nothing open behind a failed open (a half-open h5py file would pin its pages).
            try:
                self.close()
            except Exception:
                pass
            raise
        return {"ok": True, "openMs": ms}

    def _open_memmap(self, path, layout):
        advice = layout.get("advice", "normal")
        if advice not in MADVISE:
            raise RequestError(f"unknown memmap advice {advice!r}: expected normal, random or sequential")
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
        # np.memmap keeps the mapping as `_mmap` (possibly on a base array).
        holder = arr
        mm = getattr(holder, "_mmap", None)
        while mm is None and getattr(holder, "base", None) is not None:
            holder = holder.base
            mm = getattr(holder, "_mmap", None)
        self.array, self.mmap = arr, mm
        if mm is not None:
            import mmap as mmap_module
            mm.madvise(getattr(mmap_module, MADVISE[advice]))
        elif arr.size > 0:
            raise RequestError(f"{path}: numpy.load(mmap_mode='r') returned no mmap to apply madvise to")

    def _open_zarr(self, path, layout):
        if zarr is None:
            raise RequestError("python3-zarr not installed: apt-get install python3-zarr")
        if layout.get("format", 2) != 2 or layout.get("shards") is not None:
            raise RequestError("zarr-python 2.13 reads Zarr format 2 only")
        self.array = zarr.open_array(path, mode="r")

    def _open_remote(self, remote, backend, path, layout, dataset_path):
        """The layout's objects through fsspec or boto3; a fresh filesystem or client (no cache) per open."""
        if layout.get("format", 2) != 2 or layout.get("shards") is not None:
            raise RequestError("zarr-python 2.13 reads Zarr format 2 only")
        self.remote = reference_remote.RemoteOpen(remote, backend)
        try:
            if backend == "zarr":
                self.array = zarr.open_array(self.remote.zarr_store(), mode="r")
            else:
                self.file = h5py.File(self.remote.hdf5_file(), "r")
                self.array = self.file[dataset_path]
        except reference_remote.RemoteError as e:
            raise RequestError(str(e))

    def _open_hdf5(self, path, dataset_path):
        if h5py is None:
            raise RequestError("python3-h5py not installed: apt-get install python3-h5py")
        self.file = h5py.File(path, "r")
        self.array = self.file[dataset_path]

    def _check_array(self, req):
        """The opened array must be the dataset the harness means, or digests would mismatch obscurely."""
        want_shape = req.get("shape")
        want_dtype = req.get("dtype")
        shape = list(self.array.shape)
        if want_shape is not None and shape != list(want_shape):
            raise RequestError(f"{self.path}: holds shape {shape}, the dataset has {list(want_shape)}")
        if want_dtype is not None and np.dtype(self.array.dtype) != np.dtype(want_dtype):
            raise RequestError(f"{self.path}: holds {np.dtype(self.array.dtype).str}, the dataset is {want_dtype}")

    def close(self):
        path = self.path
        if self.file is not None:
            self.file.close()
        mm = self.mmap
        if self.remote is not None:
            self.array = self.file = None
            self.remote.close()
            self.remote = path = None  # nothing local was opened
        self.array = self.file = self.mmap = None
        self.backend = self.path = None
        # Drop every view so the mapping's buffer exports end, then unmap now rather than at GC.
        gc.collect()
        if mm is not None:
            mm.close()
            del mm
        gc.collect()
        if path is not None:
            held = held_open(path)
            if held:
                raise RequestError(f"after close {path} is still {held}; its pages would stay in the page cache")
        return {"ok": True}

    # ---- reads -------------------------------------------------------------------------------------

    def run_pass(self, req):
        if self.array is None:
            raise RequestError("no array is open; send open first")
        selections = req.get("selections")
        if not isinstance(selections, list):
            raise RequestError("pass needs 'selections': a list of [[start, stop, step], ...]")
        shape = self.array.shape
        keys = [to_key(sel, shape) for sel in selections]
        arr = self.array
        outs = self.outputs.for_pass([key_shape(key) for key in keys], arr.dtype)
        memmap, zarr_array = self.backend == "memmap", self.backend == "zarr"
        digests = []
        total = 0
        before = io_counters()
        for key, out in zip(keys, outs):
            result = out
            t0 = time.perf_counter_ns()
            # Each library's own way of reading into a given array.
            if out.size == 0:
                pass  # an empty selection reads nothing (h5py refuses an empty read_direct)
            elif memmap:
                # A memmap slice is a lazy view: copy it, as the js reader does, so every page is touched.
                np.copyto(out, arr[key])
            elif zarr_array:
                arr.get_basic_selection(key, out=out)
            elif out.nbytes < H5PY_DIRECT_BYTES:
                # read_direct parses the selection in Python, ~15-20 us a call: twice the whole read
                # of a point through ds[key]'s compiled fast path. A result this small comes from
                # memory the allocator recycles, so ds[key] pays no first touch.
                result = arr[key]
            else:
                arr.read_direct(out, key)
            total += time.perf_counter_ns() - t0
            # Hashed before the next read of the same shape overwrites the buffer.
            digests.append(hashlib.sha256(result.data if result.flags.c_contiguous else result.tobytes()).hexdigest())
            del result
        after = io_counters()
        return {
            "ms": total / 1e6,
            "readBytes": after[0] - before[0],
            "writeBytes": after[1] - before[1],
            "majorFaults": after[2] - before[2],
            "digests": digests,
        }


def key_shape(key):
    """Shape of the array a tuple of slices selects."""
    return tuple(len(range(s.start, s.stop, s.step)) for s in key)


def to_key(sel, shape):
    """A request's [[start, stop, step], ...] as a tuple of slices, checked against the shape
    (NumPy would silently clip an out-of-range slice)."""
    if not isinstance(sel, list) or len(sel) != len(shape):
        raise RequestError(f"selection {json.dumps(sel)} does not have one [start, stop, step] per axis of shape {list(shape)}")
    key = []
    for axis, s in enumerate(sel):
        if not (isinstance(s, list) and len(s) == 3 and all(isinstance(v, int) and not isinstance(v, bool) for v in s)):
            raise RequestError(f"selection {json.dumps(sel)}: axis {axis} must be [start, stop, step] integers")
        start, stop, step = s
        if step < 1 or start < 0 or start > stop or stop > shape[axis]:
            raise RequestError(f"selection {json.dumps(sel)} does not fit shape {list(shape)} (axis {axis})")
        key.append(slice(start, stop, step))
    return tuple(key)


def held_open(path):
    """'mapped' / 'open' when this process still maps or has a descriptor on `path` (or under it)."""
    real = os.path.realpath(path)
    inside = lambda p: p == real or p.startswith(real.rstrip("/") + "/")
    try:
        with open("/proc/self/maps", "r", encoding="latin-1") as f:
            for line in f:
                parts = line.split(None, 5)
                if len(parts) == 6 and inside(parts[5].strip()):
                    return "mapped"
        for fd in os.listdir("/proc/self/fd"):
            try:
                if inside(os.readlink(f"/proc/self/fd/{fd}")):
                    return "open"
            except OSError:
                continue
    except OSError:
        pass
    return None


def main():
    worker = Worker()
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        quit_after = False
        try:
            try:
                req = json.loads(line)
            except ValueError as e:
                raise RequestError(f"request is not JSON: {e}")
            if not isinstance(req, dict):
                raise RequestError("request must be a JSON object with an 'op'")
            op = req.get("op")
            if op == "hello":
                reply = hello()
            elif op == "open":
                reply = worker.open(req)
            elif op == "pass":
                reply = worker.run_pass(req)
            elif op == "close":
                reply = worker.close()
            elif op == "quit":
                reply, quit_after = {"ok": True}, True
            else:
                raise RequestError(f"unknown op {op!r}: expected hello, open, pass, close or quit")
        except RequestError as e:
            reply = {"error": one_line(e)}
        except Exception as e:  # a library failure: one line, never a traceback on the protocol
            described = reference_remote.describe(e, worker.remote_spec) if worker.remote_spec is not None else None
            reply = {"error": one_line(described or f"{type(e).__name__}: {e}")}
        _PROTOCOL.write(json.dumps(reply, separators=(",", ":")) + "\n")
        _PROTOCOL.flush()
        if quit_after:
            break
    try:
        worker.close()
    except Exception:
        pass


if __name__ == "__main__":
    main()
