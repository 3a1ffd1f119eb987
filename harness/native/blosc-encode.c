/*
 * Blosc 1 encoding through the system's c-blosc (libblosc.so.1, Debian's libblosc1), loaded on first
 * use. It is the library Debian's numcodecs, and so zarr-python, links: our frames are the ones
 * zarr-python writes for the same bytes and settings, shuffled with typesize = the item size.
 * numcodecs.js (WASM) cannot do that: it always passes a typesize of 4. Loaded with dlopen rather
 * than linked, so the addon builds and loads without it; bloscEncoderInfo says why it is missing.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#include "blosc-encode.h"

#define LIBRARY "libblosc.so.1"
/* Bytes a Blosc 1 frame may add to its input (BLOSC_MAX_OVERHEAD). */
#define MAX_OVERHEAD 16
/* Largest input c-blosc 1 accepts (BLOSC_MAX_BUFFERSIZE). */
#define MAX_BUFFERSIZE (2147483647u - MAX_OVERHEAD)

typedef int (*compress_ctx_fn)(int clevel, int doshuffle, size_t typesize, size_t nbytes, const void *src,
                               void *dest, size_t destsize, const char *compressor, size_t blocksize, int numinternalthreads);
typedef const char *(*version_fn)(void);

static compress_ctx_fn compress_ctx;
static const char *version;
static char load_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
  void *lib = dlopen(LIBRARY, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(load_error, sizeof load_error, "%s", dlerror());
    return;
  }
  version_fn get_version;
  /* POSIX: a data pointer from dlsym converts to a function pointer through its representation. */
  *(void **)&compress_ctx = dlsym(lib, "blosc_compress_ctx");
  *(void **)&get_version = dlsym(lib, "blosc_get_version_string");
  if (!compress_ctx) {
    snprintf(load_error, sizeof load_error, "%s has no blosc_compress_ctx (c-blosc 1.x expected)", LIBRARY);
    return;
  }
  version = get_version ? get_version() : "unknown";
}

static napi_value string(napi_env env, const char *s) {
  napi_value v;
  return napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) == napi_ok ? v : NULL;
}

/* bloscEncoderInfo(): { library, version } when c-blosc loads, else { library, error }. */
static napi_value js_info(napi_env env, napi_callback_info info) {
  (void)info;
  pthread_once(&once, load);
  napi_value out;
  if (napi_create_object(env, &out) != napi_ok) return NULL;
  napi_set_named_property(env, out, "library", string(env, LIBRARY));
  if (compress_ctx) napi_set_named_property(env, out, "version", string(env, version));
  else napi_set_named_property(env, out, "error", string(env, load_error));
  return out;
}

/* bloscEncode(src, typesize, clevel, shuffle, cname, blocksize): a new Uint8Array holding the frame. */
static napi_value js_encode(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) {
    napi_throw_type_error(env, NULL, "bloscEncode(src, typesize, clevel, shuffle, cname, blocksize)");
    return NULL;
  }
  napi_typedarray_type type;
  size_t nbytes;
  void *src;
  if (napi_get_typedarray_info(env, argv[0], &type, &nbytes, &src, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "src must be a Uint8Array");
    return NULL;
  }
  int32_t typesize, clevel, shuffle, blocksize;
  char cname[32];
  size_t cname_len;
  if (napi_get_value_int32(env, argv[1], &typesize) != napi_ok || napi_get_value_int32(env, argv[2], &clevel) != napi_ok ||
      napi_get_value_int32(env, argv[3], &shuffle) != napi_ok || napi_get_value_int32(env, argv[5], &blocksize) != napi_ok ||
      napi_get_value_string_utf8(env, argv[4], cname, sizeof cname, &cname_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "typesize, clevel, shuffle and blocksize must be numbers, cname a string");
    return NULL;
  }
  if (typesize < 1 || typesize > 255 || clevel < 0 || clevel > 9 || shuffle < 0 || shuffle > 2 || blocksize < 0) {
    napi_throw_range_error(env, NULL, "blosc: typesize 1-255, clevel 0-9, shuffle 0-2 and blocksize >= 0 expected");
    return NULL;
  }
  if (nbytes > MAX_BUFFERSIZE) {
    napi_throw_range_error(env, NULL, "blosc: c-blosc 1 compresses at most 2147483631 bytes at once");
    return NULL;
  }
  pthread_once(&once, load);
  if (!compress_ctx) {
    char msg[320];
    snprintf(msg, sizeof msg, "blosc: cannot load %s: %s", LIBRARY, load_error);
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  const size_t destsize = nbytes + MAX_OVERHEAD;
  void *dest = malloc(destsize);
  if (!dest) {
    napi_throw_error(env, NULL, "blosc: out of memory");
    return NULL;
  }
  /* One thread, as numcodecs without its global thread pool: frames do not depend on the count. */
  const int cbytes = compress_ctx(clevel, shuffle, (size_t)typesize, nbytes, src, dest, destsize, cname, (size_t)blocksize, 1);
  if (cbytes <= 0) {
    free(dest);
    char msg[96];
    snprintf(msg, sizeof msg, "blosc: c-blosc could not compress with %s (code %d)", cname, cbytes);
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  napi_value buffer, out;
  void *data;
  napi_status status = napi_create_arraybuffer(env, (size_t)cbytes, &data, &buffer);
  if (status == napi_ok) {
    memcpy(data, dest, (size_t)cbytes);
    status = napi_create_typedarray(env, napi_uint8_array, (size_t)cbytes, buffer, 0, &out);
  }
  free(dest);
  if (status != napi_ok) {
    napi_throw_error(env, NULL, "blosc: cannot allocate the result");
    return NULL;
  }
  return out;
}

napi_status define_blosc_encoder(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "bloscEncoderInfo", NULL, js_info, NULL, NULL, NULL, napi_enumerable, NULL },
    { "bloscEncode", NULL, js_encode, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
