/*
 * Blosc 1 encoding through the system's c-blosc (libblosc.so.1, Debian's libblosc1), loaded on first
 * use. It is the library Debian's numcodecs, and so zarr-python, links: our frames are the ones
 * zarr-python writes for the same bytes and settings, shuffled with typesize = the item size.
 * numcodecs.js (WASM) cannot do that: it always passes a typesize of 4. Loaded with dlopen rather
 * than linked, so the addon builds and loads without it; bloscLibraryInfo says why it is missing
 * (the harness then falls back to numcodecs.js where that writes correct frames).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#include "blosc-encode.h"

/* Bytes a Blosc 1 frame may add to its input (BLOSC_MAX_OVERHEAD). */
#define MAX_OVERHEAD 16
/* Largest input c-blosc 1 accepts (BLOSC_MAX_BUFFERSIZE). */
#define MAX_BUFFERSIZE (2147483647u - MAX_OVERHEAD)

typedef int (*compress_ctx_fn)(int clevel, int doshuffle, size_t typesize, size_t nbytes, const void *src,
                               void *dest, size_t destsize, const char *compressor, size_t blocksize, int numinternalthreads);
typedef const char *(*version_fn)(void);

/* The library last asked for and what loading it gave. The caller names it (harness/native/index.ts
 * reads LAYOUTBENCH_BLOSC_LIBRARY), so tests can load a missing one; a new name is loaded anew, the
 * old handle kept (dlclose could unload code another thread is running). */
struct loaded {
  char library[1024];
  compress_ctx_fn compress_ctx;
  const char *version;
  char error[512];
};
static struct loaded current;
static int tried;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void load(const char *library) {
  memset(&current, 0, sizeof current);
  snprintf(current.library, sizeof current.library, "%s", library);
  void *lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(current.error, sizeof current.error, "%s", dlerror());
    return;
  }
  version_fn get_version;
  /* POSIX: a data pointer from dlsym converts to a function pointer through its representation. */
  *(void **)&current.compress_ctx = dlsym(lib, "blosc_compress_ctx");
  *(void **)&get_version = dlsym(lib, "blosc_get_version_string");
  if (!current.compress_ctx) {
    snprintf(current.error, sizeof current.error, "%s has no blosc_compress_ctx (c-blosc 1.x expected)", library);
    return;
  }
  current.version = get_version ? get_version() : "unknown";
}

/* What loading `library` gives, loading it on first use. */
static struct loaded loaded(const char *library) {
  pthread_mutex_lock(&lock);
  if (!tried || strcmp(current.library, library) != 0) load(library);
  tried = 1;
  struct loaded copy = current;
  pthread_mutex_unlock(&lock);
  return copy;
}

/* Copies the library name in `value` into `out`; 0 after throwing when it is not one. */
static int library_arg(napi_env env, napi_value value, char *out, size_t size) {
  size_t len;
  if (napi_get_value_string_utf8(env, value, out, size, &len) != napi_ok || len == 0 || len >= size - 1) {
    napi_throw_type_error(env, NULL, "blosc: the library must be a non-empty string of under 1023 bytes");
    return 0;
  }
  return 1;
}

static napi_value string(napi_env env, const char *s) {
  napi_value v;
  return napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) == napi_ok ? v : NULL;
}

/* bloscLibraryInfo(library): { library, version } when c-blosc loads from `library`, else { library, error }. */
static napi_value js_info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char library[1024];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) {
    napi_throw_type_error(env, NULL, "bloscLibraryInfo(library)");
    return NULL;
  }
  if (!library_arg(env, argv[0], library, sizeof library)) return NULL;
  const struct loaded l = loaded(library);
  napi_value out;
  if (napi_create_object(env, &out) != napi_ok) return NULL;
  napi_set_named_property(env, out, "library", string(env, l.library));
  if (l.compress_ctx) napi_set_named_property(env, out, "version", string(env, l.version));
  else napi_set_named_property(env, out, "error", string(env, l.error));
  return out;
}

/* bloscCompress(library, src, typesize, clevel, shuffle, cname, blocksize): a new Uint8Array holding the frame. */
static napi_value js_encode(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value all[7];
  if (napi_get_cb_info(env, info, &argc, all, NULL, NULL) != napi_ok || argc < 7) {
    napi_throw_type_error(env, NULL, "bloscCompress(library, src, typesize, clevel, shuffle, cname, blocksize)");
    return NULL;
  }
  char library[1024];
  if (!library_arg(env, all[0], library, sizeof library)) return NULL;
  napi_value *argv = all + 1;
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
  const struct loaded l = loaded(library);
  if (!l.compress_ctx) {
    char msg[1600];
    snprintf(msg, sizeof msg, "blosc: cannot load %s: %s", l.library, l.error);
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
  const int cbytes = l.compress_ctx(clevel, shuffle, (size_t)typesize, nbytes, src, dest, destsize, cname, (size_t)blocksize, 1);
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
    { "bloscLibraryInfo", NULL, js_info, NULL, NULL, NULL, napi_enumerable, NULL },
    { "bloscCompress", NULL, js_encode, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
