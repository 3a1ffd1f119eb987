/*
 * layoutbench_native: the few system calls Node does not expose and the benchmark needs to control
 * the OS page cache for real: mmap/munmap (npm's mmap-io cannot unmap, and a live mapping pins its
 * pages so cold reads would be impossible), madvise, msync, mincore (residency checks) and
 * posix_fadvise (eviction without root); and, for tests, buffers that end at an inaccessible page.
 * Errors are thrown as JS errors carrying errno text.
 * The chunk decoders (LZ4, Blosc) live in decode.c and the files it includes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <node_api.h>
#include "decode.h"
#include "copy.h"
#include "blosc-encode.h"

/* One mapping; owned by the ArrayBuffer's finalizer, reachable from JS through napi_wrap. */
typedef struct {
  void *addr;
  size_t len;
  int unmapped;
} mapping_t;

#define CALL(env, expr)                                                   \
  do {                                                                    \
    if ((expr) != napi_ok) {                                              \
      const napi_extended_error_info *info_;                              \
      napi_get_last_error_info((env), &info_);                            \
      napi_throw_error((env), NULL, info_ && info_->error_message         \
                           ? info_->error_message : "N-API call failed"); \
      return NULL;                                                        \
    }                                                                     \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s failed: %s (errno %d)", what, strerror(err), err);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
  napi_throw_error(env, strerrorname_np(err), msg);
#else
  napi_throw_error(env, NULL, msg);
#endif
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "missing arguments");
    return 0;
  }
  return 1;
}

/* Runs when the ArrayBuffer's memory is released (GC or after detach): unmap unless unmap() did. */
static void finalize_mapping(napi_env env, void *data, void *hint) {
  (void)env; (void)data;
  mapping_t *m = hint;
  if (!m->unmapped) munmap(m->addr, m->len);
  free(m);
}

static mapping_t *get_mapping(napi_env env, napi_value ab) {
  mapping_t *m = NULL;
  if (napi_unwrap(env, ab, (void **)&m) != napi_ok || m == NULL || m->unmapped) {
    napi_throw_type_error(env, NULL, "expected a live mapping returned by map()");
    return NULL;
  }
  return m;
}

static napi_value js_map(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  int32_t fd; int64_t length; bool writable;
  if (!get_args(env, info, 3, argv)) return NULL;
  CALL(env, napi_get_value_int32(env, argv[0], &fd));
  CALL(env, napi_get_value_int64(env, argv[1], &length));
  CALL(env, napi_get_value_bool(env, argv[2], &writable));
  if (length < 0) { napi_throw_range_error(env, NULL, "length must be >= 0"); return NULL; }
  /* mmap rejects length 0; an empty file simply maps to an empty (non-external) buffer. */
  if (length == 0) { CALL(env, napi_create_arraybuffer(env, 0, NULL, &result)); return result; }
  void *addr = mmap(NULL, (size_t)length, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) return throw_errno(env, "mmap", errno);
  mapping_t *m = malloc(sizeof *m);
  if (!m) { munmap(addr, (size_t)length); return throw_errno(env, "malloc", ENOMEM); }
  m->addr = addr; m->len = (size_t)length; m->unmapped = 0;
  if (napi_create_external_arraybuffer(env, addr, m->len, finalize_mapping, m, &result) != napi_ok) {
    munmap(addr, m->len); free(m);
    napi_throw_error(env, NULL, "napi_create_external_arraybuffer failed");
    return NULL;
  }
  /* No finalizer on the wrap: the ArrayBuffer finalizer owns m; unmap() removes the wrap first. */
  CALL(env, napi_wrap(env, result, m, NULL, NULL, NULL));
  return result;
}

static napi_value js_unmap(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  bool detached = false;
  size_t len = 0;
  if (!get_args(env, info, 1, argv)) return NULL;
  CALL(env, napi_is_detached_arraybuffer(env, argv[0], &detached));
  if (detached) return NULL; /* already unmapped: closing twice is harmless */
  CALL(env, napi_get_arraybuffer_info(env, argv[0], NULL, &len));
  if (len == 0) return NULL; /* the empty-file buffer owns no mapping */
  mapping_t *m = get_mapping(env, argv[0]);
  if (!m) return NULL;
  if (munmap(m->addr, m->len) != 0) return throw_errno(env, "munmap", errno);
  m->unmapped = 1;
  CALL(env, napi_remove_wrap(env, argv[0], NULL));
  /* Detach so that any later JS access sees a zero-length buffer instead of unmapped memory. */
  CALL(env, napi_detach_arraybuffer(env, argv[0]));
  return NULL;
}

/* Advice codes shared by madvise and fadvise: normal, random, sequential, willneed, dontneed. */
static const int MADV[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED };
static const int FADV[] = { POSIX_FADV_NORMAL, POSIX_FADV_RANDOM, POSIX_FADV_SEQUENTIAL,
                            POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED };

static int get_advice(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok || *out < 0 || *out > 4) {
    napi_throw_range_error(env, NULL, "advice must be an integer 0..4 (normal, random, sequential, willneed, dontneed)");
    return 0;
  }
  return 1;
}

static napi_value js_madvise(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t advice;
  if (!get_args(env, info, 2, argv) || !get_advice(env, argv[1], &advice)) return NULL;
  mapping_t *m = get_mapping(env, argv[0]);
  if (!m) return NULL;
  if (madvise(m->addr, m->len, MADV[advice]) != 0) return throw_errno(env, "madvise", errno);
  return NULL;
}

static napi_value js_msync(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  mapping_t *m = get_mapping(env, argv[0]);
  if (!m) return NULL;
  if (msync(m->addr, m->len, MS_SYNC) != 0) return throw_errno(env, "msync", errno);
  return NULL;
}

/* Resident pages of the first `length` bytes of fd. Mapping does not fault pages in, so this
 * observes the page cache without disturbing it. Works in windows to bound the vector size. */
static napi_value js_mincore(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  int32_t fd; int64_t length;
  if (!get_args(env, info, 2, argv)) return NULL;
  CALL(env, napi_get_value_int32(env, argv[0], &fd));
  CALL(env, napi_get_value_int64(env, argv[1], &length));
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  const size_t window = (size_t)1 << 30;
  unsigned char *vec = malloc(window / page);
  if (!vec) return throw_errno(env, "malloc", ENOMEM);
  double resident = 0;
  for (int64_t off = 0; off < length; off += (int64_t)window) {
    size_t len = (size_t)(length - off) < window ? (size_t)(length - off) : window;
    void *addr = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
    if (addr == MAP_FAILED) { int e = errno; free(vec); return throw_errno(env, "mmap", e); }
    if (mincore(addr, len, vec) != 0) {
      int e = errno; munmap(addr, len); free(vec); return throw_errno(env, "mincore", e);
    }
    munmap(addr, len);
    for (size_t i = 0, n = (len + page - 1) / page; i < n; i++) resident += vec[i] & 1;
  }
  free(vec);
  CALL(env, napi_create_double(env, resident, &result));
  return result;
}

/* Residency page by page: out[i] = 1 when page i of the first `length` bytes of fd is in the page
 * cache. Lets a caller check exactly the byte ranges a read will touch. out must hold at least
 * ceil(length / page size) bytes. */
static napi_value js_mincore_pages(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd; int64_t length;
  void *data; size_t out_len;
  if (!get_args(env, info, 3, argv)) return NULL;
  CALL(env, napi_get_value_int32(env, argv[0], &fd));
  CALL(env, napi_get_value_int64(env, argv[1], &length));
  CALL(env, napi_get_typedarray_info(env, argv[2], NULL, &out_len, &data, NULL, NULL));
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  if (length < 0 || (size_t)((length + (int64_t)page - 1) / (int64_t)page) > out_len) {
    napi_throw_range_error(env, NULL, "mincorePages: the output holds fewer bytes than the pages of length");
    return NULL;
  }
  unsigned char *out = data;
  const size_t window = (size_t)1 << 30;
  for (int64_t off = 0; off < length; off += (int64_t)window) {
    size_t len = (size_t)(length - off) < window ? (size_t)(length - off) : window;
    void *addr = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
    if (addr == MAP_FAILED) return throw_errno(env, "mmap", errno);
    unsigned char *vec = out + off / (int64_t)page;
    if (mincore(addr, len, vec) != 0) { int e = errno; munmap(addr, len); return throw_errno(env, "mincore", e); }
    munmap(addr, len);
    for (size_t i = 0, n = (len + page - 1) / page; i < n; i++) vec[i] &= 1;
  }
  return NULL;
}

static napi_value js_fadvise(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, advice; int64_t offset, len;
  if (!get_args(env, info, 4, argv)) return NULL;
  CALL(env, napi_get_value_int32(env, argv[0], &fd));
  CALL(env, napi_get_value_int64(env, argv[1], &offset));
  CALL(env, napi_get_value_int64(env, argv[2], &len));
  if (!get_advice(env, argv[3], &advice)) return NULL;
  int err = posix_fadvise(fd, (off_t)offset, (off_t)len, FADV[advice]); /* returns the error */
  if (err != 0) return throw_errno(env, "posix_fadvise", err);
  return NULL;
}

/* Flushes every filesystem, as `sync` does; drop_caches only drops clean pages. */
static napi_value js_sync(napi_env env, napi_callback_info info) {
  (void)env; (void)info;
  sync();
  return NULL;
}

/* A guarded region: a PROT_NONE page each side of the pages that hold the bytes. */
typedef struct {
  void *base;
  size_t len;
} guarded_t;

static void finalize_guarded(napi_env env, void *data, void *hint) {
  (void)env; (void)data;
  guarded_t *g = hint;
  munmap(g->base, g->len);
  free(g);
}

/* guarded(length): `length` bytes ending right at an inaccessible page, so a read or write one byte
 * past the end faults (tests run the decoders on these). */
static napi_value js_guarded(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  int64_t length;
  if (!get_args(env, info, 1, argv)) return NULL;
  CALL(env, napi_get_value_int64(env, argv[0], &length));
  if (length < 0) { napi_throw_range_error(env, NULL, "length must be >= 0"); return NULL; }
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  const size_t data = ((size_t)length + page - 1) / page * page;
  guarded_t *g = malloc(sizeof *g);
  if (!g) return throw_errno(env, "malloc", ENOMEM);
  g->len = data + 2 * page;
  g->base = mmap(NULL, g->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (g->base == MAP_FAILED) { int e = errno; free(g); return throw_errno(env, "mmap", e); }
  if (data && mprotect((uint8_t *)g->base + page, data, PROT_READ | PROT_WRITE) != 0) {
    int e = errno; munmap(g->base, g->len); free(g); return throw_errno(env, "mprotect", e);
  }
  uint8_t *start = (uint8_t *)g->base + page + data - (size_t)length;
  if (napi_create_external_arraybuffer(env, start, (size_t)length, finalize_guarded, g, &result) != napi_ok) {
    munmap(g->base, g->len); free(g);
    napi_throw_error(env, NULL, "napi_create_external_arraybuffer failed");
    return NULL;
  }
  return result;
}

static napi_value js_page_size(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  CALL(env, napi_create_double(env, (double)sysconf(_SC_PAGESIZE), &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "map", NULL, js_map, NULL, NULL, NULL, napi_enumerable, NULL },
    { "unmap", NULL, js_unmap, NULL, NULL, NULL, napi_enumerable, NULL },
    { "madvise", NULL, js_madvise, NULL, NULL, NULL, napi_enumerable, NULL },
    { "msync", NULL, js_msync, NULL, NULL, NULL, napi_enumerable, NULL },
    { "mincore", NULL, js_mincore, NULL, NULL, NULL, napi_enumerable, NULL },
    { "mincorePages", NULL, js_mincore_pages, NULL, NULL, NULL, napi_enumerable, NULL },
    { "fadvise", NULL, js_fadvise, NULL, NULL, NULL, napi_enumerable, NULL },
    { "sync", NULL, js_sync, NULL, NULL, NULL, napi_enumerable, NULL },
    { "pageSize", NULL, js_page_size, NULL, NULL, NULL, napi_enumerable, NULL },
    { "guarded", NULL, js_guarded, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  CALL(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  CALL(env, define_decoders(env, exports));
  CALL(env, define_copy(env, exports));
  CALL(env, define_blosc_encoder(env, exports));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
