/* Chunk decoders of the addon (lz4.c, blosc.c, decode-pool.c), bound to JS in decode.c. */
#ifndef LAYOUTBENCH_CODECS_H
#define LAYOUTBENCH_CODECS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* One raw LZ4 block into dst[0, dstlen): bytes written, or -1 with *error set (a static string). */
ptrdiff_t lz4_decode_block(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, const char **error);

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
  int dont_split;
} blosc_frame;

enum { BLOSC_OK = 0, BLOSC_UNSUPPORTED = 1, BLOSC_CORRUPT = -1 };

/* Header bytes; a memcpyed frame's raw bytes follow it. */
#define BLOSC_HEADER 16

/*
 * Reads the header of the frame src[0, srclen) that is to be decoded into dst[0, dstlen).
 * BLOSC_UNSUPPORTED for what this decoder does not cover (bit shuffle, a compressor other than LZ4,
 * a format version from Blosc 2); BLOSC_CORRUPT with *error set when sizes do not fit.
 */
int blosc_parse(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, blosc_frame *f, char *error, size_t errlen);

/* Decodes block j of a parsed, not memcpyed frame; `tmp` holds blocksize bytes (for shuffled blocks). 0 or -1. */
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
