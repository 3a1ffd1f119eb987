/*
 * copyStrided: one N-d box of elements copied between two typed arrays in a single call, as
 * NumPy's strided copy does. The memmap backend reads a selection out of the mapping with it: one
 * N-API crossing per selection instead of a typed-array view and a `set` per row in JS, and no
 * JIT warm-up (the first passes of a warm case ran the JS copy loop in the interpreter).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <node_api.h>
#include "copy.h"

/* NumPy allows 64 axes; the plan may hold that many. */
#define MAX_RANK 64

typedef struct {
  int64_t n, s, d; /* count, source and destination strides in bytes */
} axis_t;

/* The bytes of a typed array: pointer at its byteOffset and length in bytes. */
static int typed_bytes(napi_env env, napi_value value, const char *what, uint8_t **data, size_t *bytes, napi_typedarray_type *type) {
  size_t length = 0;
  void *ptr = NULL;
  if (napi_get_typedarray_info(env, value, type, &length, &ptr, NULL, NULL) != napi_ok) {
    char msg[96];
    snprintf(msg, sizeof msg, "copyStrided: %s must be a typed array", what);
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
static int whole(napi_env env, double v, int64_t *out) {
  if (!(v >= 0 && v <= 9007199254740992.0) || (double)(int64_t)v != v) {
    napi_throw_range_error(env, NULL, "copyStrided: plan entries must be whole numbers >= 0");
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
  if (!typed_bytes(env, argv[0], "src", &src, &src_len, &type) ||
      !typed_bytes(env, argv[1], "dst", &dst, &dst_len, &type) ||
      !typed_bytes(env, argv[2], "plan", &plan_bytes, &plan_len, &type)) return NULL;
  if (type != napi_float64_array || plan_len < 4 * sizeof(double)) {
    napi_throw_type_error(env, NULL, "copyStrided: plan must be a Float64Array [elementBytes, rank, srcOffset, dstOffset, ...]");
    return NULL;
  }
  double plan[4 + 3 * MAX_RANK];
  size_t entries = plan_len / sizeof(double);
  memcpy(plan, plan_bytes, (entries < 4 + 3 * MAX_RANK ? entries : 4 + 3 * MAX_RANK) * sizeof(double));
  int64_t elem, rank, so, dof;
  if (!whole(env, plan[0], &elem) || !whole(env, plan[1], &rank) || !whole(env, plan[2], &so) || !whole(env, plan[3], &dof)) return NULL;
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
    if (!whole(env, plan[4 + 3 * i], &a.n) || !whole(env, plan[5 + 3 * i], &a.s) || !whole(env, plan[6 + 3 * i], &a.d)) return NULL;
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

napi_status define_copy(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "copyStrided", NULL, js_copy_strided, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
