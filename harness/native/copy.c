/*
 * copyStrided: one N-d box of elements copied between two typed arrays in a single call, as
 * NumPy's strided copy does. The memmap backend reads a selection out of the mapping with it: one
 * N-API crossing per selection instead of a typed-array view and a `set` per row in JS, and no
 * JIT warm-up (the first passes of a warm case ran the JS copy loop in the interpreter). Also
 * readSieved: the HDF5 contiguous reader's preads and copies, one N-API crossing per selection.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <node_api.h>
#include "copy.h"

/* NumPy allows 64 axes; the plan may hold that many. */
#define MAX_RANK 64

typedef struct {
  int64_t n, s, d; /* count, source and destination strides in bytes */
} axis_t;

/* The bytes of a typed array: pointer at its byteOffset and length in bytes. */
static int typed_bytes(napi_env env, const char *fn, napi_value value, const char *what, uint8_t **data, size_t *bytes, napi_typedarray_type *type) {
  size_t length = 0;
  void *ptr = NULL;
  if (napi_get_typedarray_info(env, value, type, &length, &ptr, NULL, NULL) != napi_ok) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s: %s must be a typed array", fn, what);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  size_t size;
  switch (*type) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: size = 1; break;
    case napi_int16_array: case napi_uint16_array: size = 2; break;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: size = 4; break;
    default: size = 8; break; /* float64, bigint64, biguint64 */
  }
  *data = ptr;
  *bytes = length * size;
  return 1;
}

/* A plan entry as a whole number in [0, 2^53]; 0 after throwing when it is not one. */
static int whole(napi_env env, const char *fn, double v, int64_t *out) {
  if (!(v >= 0 && v <= 9007199254740992.0) || (double)(int64_t)v != v) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s: plan entries must be whole numbers >= 0", fn);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  *out = (int64_t)v;
  return 1;
}

/* Copies `n` runs of `run` bytes; sizes 1/2/4/8 as single moves (fixed-size memcpy compiles to one). */
static void copy_runs(uint8_t *d, const uint8_t *s, int64_t n, int64_t ds, int64_t ss, int64_t run) {
  switch (run) {
    case 1: for (int64_t i = 0; i < n; i++, s += ss, d += ds) *d = *s; break;
    case 2: for (int64_t i = 0; i < n; i++, s += ss, d += ds) memcpy(d, s, 2); break;
    case 4: for (int64_t i = 0; i < n; i++, s += ss, d += ds) memcpy(d, s, 4); break;
    case 8: for (int64_t i = 0; i < n; i++, s += ss, d += ds) memcpy(d, s, 8); break;
    default: for (int64_t i = 0; i < n; i++, s += ss, d += ds) memcpy(d, s, (size_t)run); break;
  }
}

/*
 * copyStrided(src, dst, plan): plan is a Float64Array
 *   [elementBytes, rank, srcOffset, dstOffset, count0, srcStride0, dstStride0, count1, ...]
 * in bytes, relative to each typed array's first byte. Every byte the box touches must lie inside
 * both arrays and the two regions must not overlap (checked: a bad plan throws, never corrupts).
 * Axes are visited with the largest source stride outermost, so a mapped file is walked in file
 * order; axes contiguous in both arrays are merged into longer memcpy runs.
 */
static napi_value js_copy_strided(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  size_t argc = 3;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
    napi_throw_type_error(env, NULL, "copyStrided(src, dst, plan): missing arguments");
    return NULL;
  }
  uint8_t *src, *dst, *plan_bytes;
  size_t src_len, dst_len, plan_len;
  napi_typedarray_type type;
  if (!typed_bytes(env, "copyStrided", argv[0], "src", &src, &src_len, &type) ||
      !typed_bytes(env, "copyStrided", argv[1], "dst", &dst, &dst_len, &type) ||
      !typed_bytes(env, "copyStrided", argv[2], "plan", &plan_bytes, &plan_len, &type)) return NULL;
  if (type != napi_float64_array || plan_len < 4 * sizeof(double)) {
    napi_throw_type_error(env, NULL, "copyStrided: plan must be a Float64Array [elementBytes, rank, srcOffset, dstOffset, ...]");
    return NULL;
  }
  double plan[4 + 3 * MAX_RANK];
  size_t entries = plan_len / sizeof(double);
  memcpy(plan, plan_bytes, (entries < 4 + 3 * MAX_RANK ? entries : 4 + 3 * MAX_RANK) * sizeof(double));
  int64_t elem, rank, so, dof;
  if (!whole(env, "copyStrided", plan[0], &elem) || !whole(env, "copyStrided", plan[1], &rank) || !whole(env, "copyStrided", plan[2], &so) || !whole(env, "copyStrided", plan[3], &dof)) return NULL;
  if (elem < 1 || rank > MAX_RANK || entries < (size_t)(4 + 3 * rank)) {
    napi_throw_range_error(env, NULL, "copyStrided: plan needs elementBytes >= 1, rank <= 64 and 3 entries per axis");
    return NULL;
  }
  axis_t ax[MAX_RANK];
  int k = 0;
  /* Highest byte offset + 1 the box reaches in each array; overflow cannot pass the bounds check. */
  int64_t src_end = so, dst_end = dof;
  int overflow = __builtin_add_overflow(src_end, elem, &src_end) | __builtin_add_overflow(dst_end, elem, &dst_end);
  for (int64_t i = 0; i < rank; i++) {
    axis_t a;
    if (!whole(env, "copyStrided", plan[4 + 3 * i], &a.n) || !whole(env, "copyStrided", plan[5 + 3 * i], &a.s) || !whole(env, "copyStrided", plan[6 + 3 * i], &a.d)) return NULL;
    if (a.n == 0) return NULL; /* an empty box copies nothing */
    if (a.n == 1) continue;
    int64_t reach;
    overflow |= __builtin_mul_overflow(a.n - 1, a.s, &reach) | __builtin_add_overflow(src_end, reach, &src_end);
    overflow |= __builtin_mul_overflow(a.n - 1, a.d, &reach) | __builtin_add_overflow(dst_end, reach, &dst_end);
    ax[k++] = a;
  }
  if (overflow || (uint64_t)src_end > src_len || (uint64_t)dst_end > dst_len) {
    napi_throw_range_error(env, NULL, "copyStrided: the box reaches past the end of src or dst");
    return NULL;
  }
  if (src + so < dst + dst_end && dst + dof < src + src_end) {
    napi_throw_range_error(env, NULL, "copyStrided: src and dst regions overlap");
    return NULL;
  }
  /* Largest source stride first (insertion sort: rank is small). */
  for (int i = 1; i < k; i++) {
    axis_t a = ax[i];
    int j = i - 1;
    for (; j >= 0 && ax[j].s < a.s; j--) ax[j + 1] = ax[j];
    ax[j + 1] = a;
  }
  /* Merge axes contiguous in both arrays: the outer one steps exactly over the inner one. */
  int m = 0;
  for (int i = 0; i < k; i++) {
    if (m > 0 && ax[m - 1].s == ax[i].n * ax[i].s && ax[m - 1].d == ax[i].n * ax[i].d) {
      ax[m - 1].n *= ax[i].n;
      ax[m - 1].s = ax[i].s;
      ax[m - 1].d = ax[i].d;
    } else {
      ax[m++] = ax[i];
    }
  }
  /* The innermost axis joins the element into one run when both arrays hold it contiguously. */
  int64_t run = elem;
  if (m > 0 && ax[m - 1].s == elem && ax[m - 1].d == elem) run *= ax[--m].n;
  const uint8_t *s = src + so;
  uint8_t *d = dst + dof;
  if (m == 0) {
    memcpy(d, s, (size_t)run);
    return NULL;
  }
  /* Innermost remaining axis in copy_runs; an odometer over the outer ones. */
  axis_t in = ax[m - 1];
  int outer = m - 1;
  int64_t index[MAX_RANK] = { 0 };
  for (;;) {
    copy_runs(d, s, in.n, in.d, in.s, run);
    int a = outer - 1;
    for (; a >= 0; a--) {
      if (++index[a] < ax[a].n) { s += ax[a].s; d += ax[a].d; break; }
      index[a] = 0;
      s -= (ax[a].n - 1) * ax[a].s;
      d -= (ax[a].n - 1) * ax[a].d;
    }
    if (a < 0) return NULL;
  }
}


/* pread until `length` bytes are in or the file ends; the bytes read, or -1 with errno set. */
static int64_t pread_fully(int fd, uint8_t *into, int64_t length, int64_t position) {
  int64_t done = 0;
  while (done < length) {
    ssize_t n = pread(fd, into + done, (size_t)(length - done), (off_t)(position + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += n;
  }
  return done;
}

/* Throws for a pread_fully that came back short: an error (got < 0) or the end of the file. */
static napi_value throw_short(napi_env env, int64_t position, int64_t got) {
  char msg[128];
  if (got < 0) snprintf(msg, sizeof msg, "pread failed: %s (errno %d)", strerror(errno), errno);
  else snprintf(msg, sizeof msg, "file ends at byte %lld, inside the dataset", (long long)(position + got));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

/*
 * readSieved(fd, plan, out, sieve): the reads libhdf5 makes for a selection of a contiguous
 * dataset, in one call (hdf5/contiguous.ts: Node's readSync adds a fixed cost to every call on
 * top of the pread, and a column read makes one per 64 KiB window). plan is a Float64Array
 *   [run, windowBytes, first, end, perRun, runStep, outerRank, count0, step0, count1, step1, ...]
 * in bytes: `run` bytes at file position `first` + k * runStep (k < perRun), the outer axes an
 * odometer over (count, step) pairs, outermost first, `end` the dataset's last byte + 1. Runs
 * longer than windowBytes are read straight into `out`; shorter ones through a window of up to
 * windowBytes of `sieve` starting at the run, refilled whenever a run falls outside it (H5Dread's
 * data sieve). Everything written lands inside `out` and `sieve` (checked before any read).
 */
static napi_value js_read_sieved(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  size_t argc = 4;
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "readSieved(fd, plan, out, sieve): missing arguments");
    return NULL;
  }
  uint8_t *plan_bytes, *out, *sieve;
  size_t plan_len, out_len, sieve_len;
  napi_typedarray_type type, ignored;
  if (!typed_bytes(env, "readSieved", argv[1], "plan", &plan_bytes, &plan_len, &type) ||
      !typed_bytes(env, "readSieved", argv[2], "out", &out, &out_len, &ignored) ||
      !typed_bytes(env, "readSieved", argv[3], "sieve", &sieve, &sieve_len, &ignored)) return NULL;
  if (type != napi_float64_array || plan_len < 7 * sizeof(double)) {
    napi_throw_type_error(env, NULL, "readSieved: plan must be a Float64Array [run, windowBytes, first, end, perRun, runStep, outerRank, ...]");
    return NULL;
  }
  const double *plan = (const double *)plan_bytes;
  int64_t head[7];
  for (int i = 0; i < 7; i++) if (!whole(env, "readSieved", plan[i], &head[i])) return NULL;
  int64_t run = head[0], window = head[1], first = head[2], end = head[3], per_run = head[4], run_step = head[5], outer = head[6];
  if (outer > MAX_RANK || plan_len / sizeof(double) < (size_t)(7 + 2 * outer) || window > (int64_t)sieve_len) {
    napi_throw_range_error(env, NULL, "readSieved: plan needs outerRank <= 64, 2 entries per outer axis and windowBytes <= sieve.length");
    return NULL;
  }
  int64_t counts[MAX_RANK], steps[MAX_RANK], index[MAX_RANK] = { 0 };
  /* Bytes the selection fills in `out`, and the furthest file byte it reaches. */
  int64_t total = run, reach = first + run, span;
  int overflow = __builtin_mul_overflow(total, per_run, &total);
  overflow |= __builtin_mul_overflow(per_run > 0 ? per_run - 1 : 0, run_step, &span) | __builtin_add_overflow(reach, span, &reach);
  for (int64_t a = 0; a < outer; a++) {
    if (!whole(env, "readSieved", plan[7 + 2 * a], &counts[a]) || !whole(env, "readSieved", plan[8 + 2 * a], &steps[a])) return NULL;
    overflow |= __builtin_mul_overflow(total, counts[a], &total);
    overflow |= __builtin_mul_overflow(counts[a] > 0 ? counts[a] - 1 : 0, steps[a], &span) | __builtin_add_overflow(reach, span, &reach);
  }
  if (total == 0) return NULL;
  if (overflow || (uint64_t)total > out_len || reach > end) {
    napi_throw_range_error(env, NULL, "readSieved: the selection reaches past the end of out or of the dataset");
    return NULL;
  }
  int64_t pos = first, at = 0, window_start = -1, window_length = 0;
  for (;;) {
    for (int64_t k = 0, p = pos; k < per_run; k++, p += run_step, at += run) {
      if (run > window) {
        int64_t got = pread_fully(fd, out + at, run, p);
        if (got != run) return throw_short(env, p, got);
        continue;
      }
      if (window_start < 0 || p < window_start || p + run > window_start + window_length) {
        window_start = p;
        window_length = end - p < window ? end - p : window;
        int64_t got = pread_fully(fd, sieve, window_length, p);
        if (got != window_length) return throw_short(env, p, got);
      }
      memcpy(out + at, sieve + (p - window_start), (size_t)run);
    }
    int64_t a = outer - 1;
    for (; a >= 0; a--) {
      pos += steps[a];
      if (++index[a] < counts[a]) break;
      pos -= counts[a] * steps[a];
      index[a] = 0;
    }
    if (a < 0) return NULL;
  }
}

napi_status define_copy(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "copyStrided", NULL, js_copy_strided, NULL, NULL, NULL, napi_enumerable, NULL },
    { "readSieved", NULL, js_read_sieved, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
