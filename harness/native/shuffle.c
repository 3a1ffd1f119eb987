/*
 * Blosc's two shuffles, undone. Byte shuffle stores byte b of every element of a block together
 * (plane b); bit shuffle goes further and stores bit k of byte b of every element together, as a
 * row of count / 8 bytes (row 8 b + k; element i is bit i % 8 of the row's byte i / 8).
 */
#include <string.h>
#include "codecs.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void byte_unshuffle(const uint8_t *const *planes, size_t count, size_t typesize, uint8_t *dst) {
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

/* Transposes the 8×8 bit matrix in x (byte r, bit c -> byte c, bit r): three rounds of swapping
 * off-diagonal blocks (1×1 bits, then 2×2, then 4×4), each a masked exchange by xor. */
static inline uint64_t transpose8x8(uint64_t x) {
  uint64_t t;
  t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAull;
  x ^= t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCull;
  x ^= t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ull;
  x ^= t ^ (t << 28);
  return x;
}

/*
 * Three steps, two of them the byte unshuffle above: for each byte plane b, its 8 bit rows are
 * interleaved into one 8-byte word per group of 8 elements (byte k of word g: row 8 b + k's byte
 * g), each word's bits transposed (byte e of word g: byte b of element 8 g + e, i.e. the plane in
 * order), and the planes interleaved into elements. `count` is a multiple of 8; `work` holds count
 * * typesize bytes.
 */
void bit_unshuffle(const uint8_t *src, size_t count, size_t typesize, uint8_t *dst, uint8_t *work) {
  const size_t row = count / 8;
  const uint8_t *planes[256];
  for (size_t b = 0; b < typesize; b++) {
    uint8_t *plane = typesize == 1 ? dst : work + b * count;
    const uint8_t *rows[8];
    for (int k = 0; k < 8; k++) rows[k] = src + (8 * b + (size_t)k) * row;
    byte_unshuffle(rows, row, 8, plane);
    for (size_t g = 0; g < row; g++) {
      uint64_t x;
      memcpy(&x, plane + 8 * g, 8);
      x = transpose8x8(x);
      memcpy(plane + 8 * g, &x, 8);
    }
    planes[b] = plane;
  }
  if (typesize > 1) byte_unshuffle(planes, count, typesize, dst);
}
