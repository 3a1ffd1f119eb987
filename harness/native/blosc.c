/*
 * Blosc 1 frames with LZ4 inside, byte shuffle or none: the same frames the JS decoder
 * (harness/backends/zarr/lz4-blosc.ts) accepts, with the same checks. Layout of a frame:
 *   0 version, 1 compressor version, 2 flags, 3 typesize, 4 nbytes, 8 blocksize, 12 cbytes
 *   (little-endian uint32s), then unless memcpyed one uint32 start offset per block, and at each
 *   start the block's streams: a uint32 size and that many bytes (LZ4, or raw when the size equals
 *   the stream's decoded size). A block is split into `typesize` streams, one per byte plane,
 *   unless the frame says not to or the block is too small or the last, partial one.
 * Flags: bit 0 byte shuffle, 1 memcpyed (the raw bytes follow the header), 2 bit shuffle,
 * 4 do not split, 5-7 the compressor (1 = LZ4, also written by LZ4HC).
 */
#include <stdio.h>
#include <string.h>
#include "codecs.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MAX_SPLITS 16
#define MIN_BUFFERSIZE 128
#define FORMAT_LZ4 1
/* The last frame format of Blosc 1; later ones are Blosc 2 chunks, left to numcodecs.js. */
#define MAX_VERSION 2

static uint32_t u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int blosc_parse(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, blosc_frame *f, char *error, size_t errlen) {
  if (srclen < BLOSC_HEADER) {
    snprintf(error, errlen, "blosc frame shorter than its header");
    return BLOSC_CORRUPT;
  }
  const unsigned flags = src[2];
  f->src = src;
  f->dst = dst;
  f->typesize = src[3];
  f->nbytes = u32(src + 4);
  f->blocksize = u32(src + 8);
  f->cbytes = u32(src + 12);
  f->memcpyed = (flags & 0x2) != 0;
  f->dont_split = (flags & 0x10) != 0;
  f->shuffled = (flags & 0x1) != 0 && f->typesize > 1;
  f->nblocks = 0;
  if (f->cbytes > srclen) {
    snprintf(error, errlen, "blosc frame says %u bytes, has %zu", f->cbytes, srclen);
    return BLOSC_CORRUPT;
  }
  if (f->nbytes > dstlen) {
    snprintf(error, errlen, "blosc frame decodes to %u bytes, expected at most %zu", f->nbytes, dstlen);
    return BLOSC_CORRUPT;
  }
  /* A Blosc 2 chunk may have a longer header, even when memcpyed. */
  if (src[0] > MAX_VERSION) return BLOSC_UNSUPPORTED;
  if (f->memcpyed) {
    if ((size_t)BLOSC_HEADER + f->nbytes > srclen) {
      snprintf(error, errlen, "memcpyed blosc frame shorter than its size");
      return BLOSC_CORRUPT;
    }
    return BLOSC_OK;
  }
  if ((flags & 0x4) || flags >> 5 != FORMAT_LZ4) return BLOSC_UNSUPPORTED;
  if (f->nbytes == 0) return BLOSC_OK;
  if (f->blocksize == 0) {
    snprintf(error, errlen, "blosc frame with a zero block size");
    return BLOSC_CORRUPT;
  }
  f->nblocks = f->nbytes / f->blocksize + (f->nbytes % f->blocksize != 0);
  if ((size_t)BLOSC_HEADER + 4 * (size_t)f->nblocks > f->cbytes) {
    snprintf(error, errlen, "blosc block table runs past the frame");
    return BLOSC_CORRUPT;
  }
  return BLOSC_OK;
}

/*
 * Byte unshuffle of `count` elements: byte b of element i is planes[b][i]. The planes are separate
 * pointers so that a plane stored raw in the frame is read in place instead of copied first.
 */
static void unshuffle(const uint8_t *const *planes, size_t count, size_t typesize, uint8_t *dst) {
  size_t i = 0;
#if defined(__SSE2__)
  /* 16 elements per step: interleave the planes' bytes, then pairs, then quads (unpack = zip). */
  if (typesize == 4) {
    for (; i + 16 <= count; i += 16) {
      const __m128i a = _mm_loadu_si128((const __m128i *)(planes[0] + i));
      const __m128i b = _mm_loadu_si128((const __m128i *)(planes[1] + i));
      const __m128i c = _mm_loadu_si128((const __m128i *)(planes[2] + i));
      const __m128i d = _mm_loadu_si128((const __m128i *)(planes[3] + i));
      const __m128i ab0 = _mm_unpacklo_epi8(a, b), ab1 = _mm_unpackhi_epi8(a, b);
      const __m128i cd0 = _mm_unpacklo_epi8(c, d), cd1 = _mm_unpackhi_epi8(c, d);
      uint8_t *o = dst + 4 * i;
      _mm_storeu_si128((__m128i *)o, _mm_unpacklo_epi16(ab0, cd0));
      _mm_storeu_si128((__m128i *)(o + 16), _mm_unpackhi_epi16(ab0, cd0));
      _mm_storeu_si128((__m128i *)(o + 32), _mm_unpacklo_epi16(ab1, cd1));
      _mm_storeu_si128((__m128i *)(o + 48), _mm_unpackhi_epi16(ab1, cd1));
    }
  } else if (typesize == 2) {
    for (; i + 16 <= count; i += 16) {
      const __m128i a = _mm_loadu_si128((const __m128i *)(planes[0] + i));
      const __m128i b = _mm_loadu_si128((const __m128i *)(planes[1] + i));
      _mm_storeu_si128((__m128i *)(dst + 2 * i), _mm_unpacklo_epi8(a, b));
      _mm_storeu_si128((__m128i *)(dst + 2 * i + 16), _mm_unpackhi_epi8(a, b));
    }
  } else if (typesize == 8) {
    for (; i + 16 <= count; i += 16) {
      __m128i p[8], q[8], r[8];
      for (int k = 0; k < 8; k++) p[k] = _mm_loadu_si128((const __m128i *)(planes[k] + i));
      for (int k = 0; k < 4; k++) {
        q[2 * k] = _mm_unpacklo_epi8(p[2 * k], p[2 * k + 1]);
        q[2 * k + 1] = _mm_unpackhi_epi8(p[2 * k], p[2 * k + 1]);
      }
      /* q: byte pairs of planes (0,1) (2,3) (4,5) (6,7), elements 0-7 then 8-15 of each. */
      for (int h = 0; h < 2; h++) {
        r[4 * h] = _mm_unpacklo_epi16(q[h], q[2 + h]);
        r[4 * h + 1] = _mm_unpackhi_epi16(q[h], q[2 + h]);
        r[4 * h + 2] = _mm_unpacklo_epi16(q[4 + h], q[6 + h]);
        r[4 * h + 3] = _mm_unpackhi_epi16(q[4 + h], q[6 + h]);
      }
      /* r: bytes 0-3 and 4-7 of elements 0-3, 4-7 (h = 0) and 8-11, 12-15 (h = 1). */
      uint8_t *o = dst + 8 * i;
      for (int h = 0; h < 2; h++) {
        for (int k = 0; k < 2; k++) {
          const __m128i lo = r[4 * h + k], hi = r[4 * h + 2 + k];
          _mm_storeu_si128((__m128i *)o, _mm_unpacklo_epi32(lo, hi));
          _mm_storeu_si128((__m128i *)(o + 16), _mm_unpackhi_epi32(lo, hi));
          o += 32;
        }
      }
    }
  }
#endif
  for (size_t b = 0; b < typesize; b++) {
    const uint8_t *plane = planes[b];
    for (size_t k = i; k < count; k++) dst[k * typesize + b] = plane[k];
  }
}

int blosc_decode_block(const blosc_frame *f, uint32_t j, uint8_t *tmp, const char **error) {
  const uint8_t *const src = f->src;
  const int leftover = j == f->nblocks - 1 && f->nbytes % f->blocksize != 0;
  const size_t bsize = leftover ? f->nbytes % f->blocksize : f->blocksize;
  const int split = !f->dont_split && f->typesize <= MAX_SPLITS && f->blocksize / f->typesize >= MIN_BUFFERSIZE && !leftover;
  const size_t nsplits = split ? f->typesize : 1;
  if (bsize % nsplits != 0) {
    *error = "blosc block size is not a multiple of the type size";
    return -1;
  }
  const size_t neblock = bsize / nsplits;
  uint8_t *const block = f->dst + (size_t)j * f->blocksize;
  uint8_t *const target = f->shuffled ? tmp : block;
  /* Where each byte plane of a shuffled block is: in tmp, or in the frame for a raw split stream. */
  const uint8_t *planes[256];
  const size_t count = bsize / f->typesize;
  if (f->shuffled) for (size_t b = 0; b < f->typesize; b++) planes[b] = tmp + b * count;
  size_t ip = u32(src + BLOSC_HEADER + 4 * (size_t)j);
  for (size_t s = 0; s < nsplits; s++) {
    if (ip + 4 > f->cbytes) {
      *error = "blosc stream header runs past the frame";
      return -1;
    }
    const size_t csize = u32(src + ip);
    ip += 4;
    if (csize > f->cbytes - ip) {
      *error = "blosc stream runs past the frame";
      return -1;
    }
    uint8_t *const at = target + s * neblock;
    if (csize == neblock && f->shuffled && nsplits > 1) {
      planes[s] = src + ip;
    } else if (csize == neblock) {
      memcpy(at, src + ip, csize);
    } else {
      const ptrdiff_t n = lz4_decode_block(src + ip, csize, at, neblock, error);
      if (n < 0) return -1;
      if ((size_t)n != neblock) {
        *error = "blosc stream decoded to the wrong size";
        return -1;
      }
    }
    ip += csize;
  }
  if (f->shuffled) {
    unshuffle(planes, count, f->typesize, block);
    /* Bytes past the last whole element are stored unshuffled (only in unsplit blocks). */
    const size_t tail = count * f->typesize;
    if (tail < bsize) memcpy(block + tail, tmp + tail, bsize - tail);
  }
  return 0;
}
