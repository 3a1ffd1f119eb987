/* Chunk decoders of the addon (lz4.c, blosclz.c, zstd.c, shuffle.c, blosc.c, decode-pool.c), bound to JS in decode.c. */
#ifndef LAYOUTBENCH_CODECS_H
#define LAYOUTBENCH_CODECS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Stream decoders: src[0, srclen) into dst[0, dstlen); bytes written, or -1 with *error set (a
 * static string). None reads or writes outside the two ranges, whatever the input.
 */
/* One raw LZ4 block. */
ptrdiff_t lz4_decode_block(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, const char **error);
/* One BloscLZ stream. */
ptrdiff_t blosclz_decode(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, const char **error);
/* zstd frames (libzstd, one context per thread). */
ptrdiff_t zstd_decode(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, const char **error);

/* Byte unshuffle of `count` elements: byte b of element i is planes[b][i] (separate pointers, so a
 * plane stored raw in a frame is read in place). */
void byte_unshuffle(const uint8_t *const *planes, size_t count, size_t typesize, uint8_t *dst);
/*
 * Bit unshuffle of `count` elements (a multiple of 8) from src into dst; `work` holds count *
 * typesize bytes. Runs the kernel in use: the widest this CPU supports (avx2, sse2, portable),
 * unless bit_unshuffle_use chose another.
 */
void bit_unshuffle(const uint8_t *src, size_t count, size_t typesize, uint8_t *dst, uint8_t *work);
/* Names of the kernels this CPU runs, narrowest first (up to `max`); their number. */
size_t bit_unshuffle_kernels(const char **names, size_t max);
/* Runs the kernel `name` once; -1 when there is no such kernel on this CPU. */
int bit_unshuffle_with(const char *name, const uint8_t *src, size_t count, size_t typesize, uint8_t *dst, uint8_t *work);
/* Chooses the kernel bit_unshuffle runs (NULL: the widest again); -1 when `name` is not supported. */
int bit_unshuffle_use(const char *name);
/* Name of the kernel bit_unshuffle runs. */
const char *bit_unshuffle_kernel(void);

/* A Blosc 1 frame's header, checked against the frame's and the output's sizes by blosc_parse. */
typedef struct {
  const uint8_t *src;
  uint8_t *dst;
  uint32_t typesize;
  uint32_t nbytes;
  uint32_t blocksize;
  uint32_t cbytes;
  uint32_t nblocks;
  int memcpyed;
  int shuffled;
  int bitshuffled;
  int dont_split;
  /* Flags bits 5-7: 0 BloscLZ, 1 LZ4 (and LZ4HC), 4 zstd. */
  int compressor;
} blosc_frame;

enum { BLOSC_OK = 0, BLOSC_UNSUPPORTED = 1, BLOSC_CORRUPT = -1 };

/* Header bytes; a memcpyed frame's raw bytes follow it. */
#define BLOSC_HEADER 16

/*
 * Reads the header of the frame src[0, srclen) that is to be decoded into dst[0, dstlen).
 * BLOSC_UNSUPPORTED for what this decoder does not cover (Snappy or zlib inside, a format version
 * from Blosc 2); BLOSC_CORRUPT with *error set when sizes do not fit.
 */
int blosc_parse(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, blosc_frame *f, char *error, size_t errlen);

/* Scratch bytes block j needs: none unshuffled, one block shuffled, two bit-shuffled. */
size_t blosc_scratch_bytes(const blosc_frame *f);

/* Decodes block j of a parsed, not memcpyed frame; `tmp` holds blosc_scratch_bytes(f). 0 or -1. */
int blosc_decode_block(const blosc_frame *f, uint32_t j, uint8_t *tmp, const char **error);

/* A parsed frame and the first error of any of its blocks (NULL: none). */
typedef struct {
  blosc_frame frame;
  _Atomic(const char *) error;
} pool_frame;

/*
 * Decodes a parsed frame, its blocks on up to `threads` threads (this one included); returns when
 * all are done. Helper threads start on first use and stay.
 */
void pool_decode(pool_frame *pf, int threads);

#endif
