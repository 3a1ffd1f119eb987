/*
 * JS bindings of the chunk decoders (lz4.c, zstd.c, blosc.c, decode-pool.c). Inputs and outputs are
 * Uint8Arrays the caller owns; results are the decoded size, -1 for a Blosc frame this decoder does
 * not cover (the caller decodes it elsewhere), or an Error "corrupt chunk: ..." (the JS decoders'
 * wording). Both decode synchronously: handing a chunk to libuv's thread pool and back can cost
 * more than decoding it (see harness/backends/zarr/chunk-decoders.ts).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#include "codecs.h"
#include "decode.h"

#define ERRLEN 160

static int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len, const char *name) {
  napi_typedarray_type type;
  void *p = NULL;
  if (napi_get_typedarray_info(env, v, &type, len, &p, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    char msg[64];
    snprintf(msg, sizeof msg, "%s must be a Uint8Array", name);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  *data = p;
  return 1;
}

static napi_value corrupt(napi_env env, const char *what) {
  char msg[ERRLEN + 32];
  snprintf(msg, sizeof msg, "corrupt chunk: %s", what);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value number(napi_env env, double n) {
  napi_value v;
  return napi_create_double(env, n, &v) == napi_ok ? v : NULL;
}

/* numcodecs' lz4 codec: a little-endian uint32 of the decoded size, then one LZ4 block. */
static int numcodecs_lz4(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, size_t *size, char *error) {
  const char *what = NULL;
  if (srclen < 4) {
    snprintf(error, ERRLEN, "numcodecs lz4 chunk shorter than its size header");
    return -1;
  }
  *size = (size_t)src[0] | (size_t)src[1] << 8 | (size_t)src[2] << 16 | (size_t)src[3] << 24;
  if (*size > dstlen) {
    snprintf(error, ERRLEN, "numcodecs lz4 chunk decodes to %zu bytes, expected at most %zu", *size, dstlen);
    return -1;
  }
  const ptrdiff_t n = lz4_decode_block(src + 4, srclen - 4, dst, *size, &what);
  if (n < 0) { snprintf(error, ERRLEN, "%s", what); return -1; }
  if ((size_t)n != *size) {
    snprintf(error, ERRLEN, "numcodecs lz4 chunk decoded to %td bytes, its header says %zu", n, *size);
    return -1;
  }
  return 0;
}

/* lz4Decode(src, dst): numcodecs lz4 into dst; the decoded size. */
static napi_value js_lz4_decode(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint8_t *src, *dst;
  size_t srclen, dstlen, size;
  char error[ERRLEN];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "missing arguments");
    return NULL;
  }
  if (!get_bytes(env, argv[0], &src, &srclen, "src") || !get_bytes(env, argv[1], &dst, &dstlen, "dst")) return NULL;
  if (numcodecs_lz4(src, srclen, dst, dstlen, &size, error) != 0) return corrupt(env, error);
  return number(env, (double)size);
}

/* zstdDecode(src, dst): numcodecs zstd (zstd frames) into dst; the decoded size. */
static napi_value js_zstd_decode(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint8_t *src, *dst;
  size_t srclen, dstlen;
  const char *what = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "missing arguments");
    return NULL;
  }
  if (!get_bytes(env, argv[0], &src, &srclen, "src") || !get_bytes(env, argv[1], &dst, &dstlen, "dst")) return NULL;
  const ptrdiff_t n = zstd_decode(src, srclen, dst, dstlen, &what);
  if (n < 0) {
    char error[ERRLEN];
    snprintf(error, sizeof error, "zstd: %s", what);
    return corrupt(env, error);
  }
  return number(env, (double)n);
}

/* bloscDecode(src, dst, threads): the frame into dst on up to `threads` threads; size or -1. */
static napi_value js_blosc_decode(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint8_t *src, *dst;
  size_t srclen, dstlen;
  int32_t threads = 1;
  char error[ERRLEN];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "missing arguments");
    return NULL;
  }
  if (!get_bytes(env, argv[0], &src, &srclen, "src") || !get_bytes(env, argv[1], &dst, &dstlen, "dst")) return NULL;
  if (argc > 2 && napi_get_value_int32(env, argv[2], &threads) != napi_ok) threads = 1;
  pool_frame pf = { .error = NULL };
  const int parsed = blosc_parse(src, srclen, dst, dstlen, &pf.frame, error, sizeof error);
  if (parsed == BLOSC_CORRUPT) return corrupt(env, error);
  if (parsed == BLOSC_UNSUPPORTED) return number(env, -1);
  pool_decode(&pf, threads);
  if (pf.error) return corrupt(env, pf.error);
  return number(env, pf.frame.nbytes);
}

static int get_name(napi_env env, napi_value v, char *name, size_t len) {
  size_t n;
  if (napi_get_value_string_utf8(env, v, name, len, &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "kernel must be a string");
    return 0;
  }
  return 1;
}

/*
 * bitUnshuffle(src, dst, typesize, kernel[, work]): src (a bit-shuffled block of whole groups of 8)
 * into dst with that kernel; `work`, at least as long as src, is its scratch (else one is allocated).
 */
static napi_value js_bit_unshuffle(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  uint8_t *src, *dst, *given = NULL;
  size_t srclen, dstlen, givenlen = 0;
  uint32_t typesize;
  char name[32];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) {
    napi_throw_type_error(env, NULL, "missing arguments");
    return NULL;
  }
  if (!get_bytes(env, argv[0], &src, &srclen, "src") || !get_bytes(env, argv[1], &dst, &dstlen, "dst")) return NULL;
  if (napi_get_value_uint32(env, argv[2], &typesize) != napi_ok || typesize < 1 || typesize > 255) {
    napi_throw_range_error(env, NULL, "typesize must be 1 to 255");
    return NULL;
  }
  if (!get_name(env, argv[3], name, sizeof name)) return NULL;
  if (srclen != dstlen || srclen % (8 * (size_t)typesize) != 0) {
    napi_throw_range_error(env, NULL, "src and dst must be as long, a whole number of groups of 8 elements");
    return NULL;
  }
  if (argc > 4 && !get_bytes(env, argv[4], &given, &givenlen, "work")) return NULL;
  if (given && givenlen < srclen) {
    napi_throw_range_error(env, NULL, "work must be at least as long as src");
    return NULL;
  }
  uint8_t *work = given ? given : malloc(srclen ? srclen : 1);
  if (!work) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  const int r = bit_unshuffle_with(name, src, srclen / typesize, typesize, dst, work);
  if (!given) free(work);
  if (r != 0) {
    char msg[80];
    snprintf(msg, sizeof msg, "no bit unshuffle kernel %s on this CPU", name);
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  return NULL;
}

/* bitUnshuffleKernels(): { available: names this CPU runs, narrowest first; inUse: the one Blosc decoding runs }. */
static napi_value js_bit_unshuffle_kernels(napi_env env, napi_callback_info info) {
  (void)info;
  const char *names[8];
  const size_t n = bit_unshuffle_kernels(names, 8);
  napi_value result, list, v;
  if (napi_create_object(env, &result) != napi_ok || napi_create_array_with_length(env, n, &list) != napi_ok) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (napi_create_string_utf8(env, names[i], NAPI_AUTO_LENGTH, &v) != napi_ok || napi_set_element(env, list, (uint32_t)i, v) != napi_ok) return NULL;
  }
  if (napi_set_named_property(env, result, "available", list) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, bit_unshuffle_kernel(), NAPI_AUTO_LENGTH, &v) != napi_ok) return NULL;
  if (napi_set_named_property(env, result, "inUse", v) != napi_ok) return NULL;
  return result;
}

/* useBitUnshuffle(kernel | null): the kernel Blosc decoding runs from now on (null: the widest again). */
static napi_value js_use_bit_unshuffle(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[32];
  napi_valuetype type = napi_null;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc > 0 && napi_typeof(env, argv[0], &type) != napi_ok) return NULL;
  const int none = argc == 0 || type == napi_null || type == napi_undefined;
  if (!none && !get_name(env, argv[0], name, sizeof name)) return NULL;
  if (bit_unshuffle_use(none ? NULL : name) != 0) {
    char msg[80];
    snprintf(msg, sizeof msg, "no bit unshuffle kernel %s on this CPU", name);
    napi_throw_error(env, NULL, msg);
  }
  return NULL;
}

napi_status define_decoders(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "lz4Decode", NULL, js_lz4_decode, NULL, NULL, NULL, napi_enumerable, NULL },
    { "bloscDecode", NULL, js_blosc_decode, NULL, NULL, NULL, napi_enumerable, NULL },
    { "zstdDecode", NULL, js_zstd_decode, NULL, NULL, NULL, napi_enumerable, NULL },
    { "bitUnshuffle", NULL, js_bit_unshuffle, NULL, NULL, NULL, napi_enumerable, NULL },
    { "bitUnshuffleKernels", NULL, js_bit_unshuffle_kernels, NULL, NULL, NULL, napi_enumerable, NULL },
    { "useBitUnshuffle", NULL, js_use_bit_unshuffle, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
