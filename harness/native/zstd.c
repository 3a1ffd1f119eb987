/*
 * zstd through libzstd's own decoder (its sources come with the zstd-napi package, built into this
 * addon by binding.gyp): numcodecs' zstd chunks are single zstd frames, and Blosc's zstd streams
 * are too. Each thread keeps one decompression context (created on first use, freed at thread
 * exit): creating one per call costs more than decoding a small stream.
 */
#include <pthread.h>
#include <zstd.h>
#include "codecs.h"

static pthread_key_t dctx_key;
static pthread_once_t dctx_once = PTHREAD_ONCE_INIT;

static void free_dctx(void *p) { ZSTD_freeDCtx(p); }
static void make_key(void) { pthread_key_create(&dctx_key, free_dctx); }

ptrdiff_t zstd_decode(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, const char **error) {
  pthread_once(&dctx_once, make_key);
  ZSTD_DCtx *dctx = pthread_getspecific(dctx_key);
  if (!dctx) {
    dctx = ZSTD_createDCtx();
    if (!dctx || pthread_setspecific(dctx_key, dctx) != 0) {
      ZSTD_freeDCtx(dctx);
      *error = "out of memory for a zstd context";
      return -1;
    }
  }
  const size_t n = ZSTD_decompressDCtx(dctx, dst, dstlen, src, srclen);
  if (ZSTD_isError(n)) {
    *error = ZSTD_getErrorName(n);
    return -1;
  }
  return (ptrdiff_t)n;
}
