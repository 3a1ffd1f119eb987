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
#if defined(__x86_64__) && defined(__SSE2__)
#include <immintrin.h>
#endif

#if defined(__SSE2__)
/*
 * Interleaves 16 bytes of 8 planes into 16 elements of 8 bytes: o[k] holds elements 2 k and 2 k + 1
 * (byte j of an element from plane j). Zips bytes, then byte pairs, then quads (unpack = zip).
 */
static inline void interleave8_sse2(const __m128i p[8], __m128i o[8]) {
  __m128i q[8], r[8];
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
  for (int h = 0; h < 2; h++) {
    for (int k = 0; k < 2; k++) {
      o[4 * h + 2 * k] = _mm_unpacklo_epi32(r[4 * h + k], r[4 * h + 2 + k]);
      o[4 * h + 2 * k + 1] = _mm_unpackhi_epi32(r[4 * h + k], r[4 * h + 2 + k]);
    }
  }
}
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
      __m128i p[8], o[8];
      for (int k = 0; k < 8; k++) p[k] = _mm_loadu_si128((const __m128i *)(planes[k] + i));
      interleave8_sse2(p, o);
      for (int k = 0; k < 8; k++) _mm_storeu_si128((__m128i *)(dst + 8 * i + 16 * k), o[k]);
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
 * Portable C (the byte unshuffle inside uses SSE2 where the compiler targets it, as every kernel
 * does for the last step): three steps, two of them the byte unshuffle above. For each byte plane b, its 8 bit
 * rows are interleaved into one 8-byte word per group of 8 elements (byte k of word g: row 8 b + k's
 * byte g), each word's bits transposed (byte e of word g: byte b of element 8 g + e, i.e. the plane
 * in order), and the planes interleaved into elements. `count` is a multiple of 8; `work` holds
 * count * typesize bytes.
 */
static void bit_unshuffle_portable(const uint8_t *src, size_t count, size_t typesize, uint8_t *dst, uint8_t *work) {
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

#if defined(__x86_64__) && defined(__SSE2__)
/* Groups of 8 elements from `g` on, one word at a time: the vector kernels' remainder. */
static void plane_from_rows_tail(const uint8_t *const rows[8], size_t g, size_t row, uint8_t *plane) {
  for (; g < row; g++) {
    uint64_t x = 0;
    for (int k = 0; k < 8; k++) x |= (uint64_t)rows[k][g] << (8 * k);
    x = transpose8x8(x);
    memcpy(plane + 8 * g, &x, 8); /* little-endian: byte e of x is element 8 g + e */
  }
}

/* transpose8x8 on each 64-bit lane of a vector: the same three masked exchanges. */
static inline __m128i transpose8x8_sse2(__m128i x) {
  const __m128i m1 = _mm_set1_epi64x(0x00AA00AA00AA00AALL), m2 = _mm_set1_epi64x(0x0000CCCC0000CCCCLL), m3 = _mm_set1_epi64x(0x00000000F0F0F0F0LL);
  __m128i t = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64(x, 7)), m1);
  x = _mm_xor_si128(x, _mm_xor_si128(t, _mm_slli_epi64(t, 7)));
  t = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64(x, 14)), m2);
  x = _mm_xor_si128(x, _mm_xor_si128(t, _mm_slli_epi64(t, 14)));
  t = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64(x, 28)), m3);
  return _mm_xor_si128(x, _mm_xor_si128(t, _mm_slli_epi64(t, 28)));
}

/*
 * SSE2: the first two portable steps fused in registers, 128 elements (16 bytes of each row) at a
 * time: the 8 rows' bytes interleaved into words, each word's bits transposed, stored as the
 * plane in order. The planes are then interleaved as before.
 */
static void bit_unshuffle_sse2(const uint8_t *src, size_t count, size_t typesize, uint8_t *dst, uint8_t *work) {
  const size_t row = count / 8;
  const uint8_t *planes[256];
  for (size_t b = 0; b < typesize; b++) {
    uint8_t *plane = typesize == 1 ? dst : work + b * count;
    const uint8_t *rows[8];
    for (int k = 0; k < 8; k++) rows[k] = src + (8 * b + (size_t)k) * row;
    size_t g = 0;
    for (; g + 16 <= row; g += 16) {
      __m128i p[8], o[8];
      for (int k = 0; k < 8; k++) p[k] = _mm_loadu_si128((const __m128i *)(rows[k] + g));
      interleave8_sse2(p, o);
      for (int k = 0; k < 8; k++) _mm_storeu_si128((__m128i *)(plane + 8 * g + 16 * (size_t)k), transpose8x8_sse2(o[k]));
    }
    plane_from_rows_tail(rows, g, row, plane);
    planes[b] = plane;
  }
  if (typesize > 1) byte_unshuffle(planes, count, typesize, dst);
}

#define AVX2 __attribute__((target("avx2")))

AVX2 static inline __m256i transpose8x8_avx2(__m256i x) {
  const __m256i m1 = _mm256_set1_epi64x(0x00AA00AA00AA00AALL), m2 = _mm256_set1_epi64x(0x0000CCCC0000CCCCLL),
                m3 = _mm256_set1_epi64x(0x00000000F0F0F0F0LL);
  __m256i t = _mm256_and_si256(_mm256_xor_si256(x, _mm256_srli_epi64(x, 7)), m1);
  x = _mm256_xor_si256(x, _mm256_xor_si256(t, _mm256_slli_epi64(t, 7)));
  t = _mm256_and_si256(_mm256_xor_si256(x, _mm256_srli_epi64(x, 14)), m2);
  x = _mm256_xor_si256(x, _mm256_xor_si256(t, _mm256_slli_epi64(t, 14)));
  t = _mm256_and_si256(_mm256_xor_si256(x, _mm256_srli_epi64(x, 28)), m3);
  return _mm256_xor_si256(x, _mm256_xor_si256(t, _mm256_slli_epi64(t, 28)));
}

/*
 * The SSE2 kernel's interleave on both 128-bit lanes at once (AVX2 unpacks stay within a lane):
 * lane 0 of o[k] is what interleave8_sse2 makes of the rows' bytes 0-15, lane 1 of bytes 16-31.
 */
AVX2 static inline void interleave8_avx2(const __m256i p[8], __m256i o[8]) {
  __m256i q[8], r[8];
  for (int k = 0; k < 4; k++) {
    q[2 * k] = _mm256_unpacklo_epi8(p[2 * k], p[2 * k + 1]);
    q[2 * k + 1] = _mm256_unpackhi_epi8(p[2 * k], p[2 * k + 1]);
  }
  for (int h = 0; h < 2; h++) {
    r[4 * h] = _mm256_unpacklo_epi16(q[h], q[2 + h]);
    r[4 * h + 1] = _mm256_unpackhi_epi16(q[h], q[2 + h]);
    r[4 * h + 2] = _mm256_unpacklo_epi16(q[4 + h], q[6 + h]);
    r[4 * h + 3] = _mm256_unpackhi_epi16(q[4 + h], q[6 + h]);
  }
  for (int h = 0; h < 2; h++) {
    for (int k = 0; k < 2; k++) {
      o[4 * h + 2 * k] = _mm256_unpacklo_epi32(r[4 * h + k], r[4 * h + 2 + k]);
      o[4 * h + 2 * k + 1] = _mm256_unpackhi_epi32(r[4 * h + k], r[4 * h + 2 + k]);
    }
  }
}

/* AVX2: the SSE2 kernel 256 elements at a time; lanes put back in order when stored. */
AVX2 static void bit_unshuffle_avx2(const uint8_t *src, size_t count, size_t typesize, uint8_t *dst, uint8_t *work) {
  const size_t row = count / 8;
  const uint8_t *planes[256];
  for (size_t b = 0; b < typesize; b++) {
    uint8_t *plane = typesize == 1 ? dst : work + b * count;
    const uint8_t *rows[8];
    for (int k = 0; k < 8; k++) rows[k] = src + (8 * b + (size_t)k) * row;
    size_t g = 0;
    for (; g + 32 <= row; g += 32) {
      __m256i p[8], o[8];
      for (int k = 0; k < 8; k++) p[k] = _mm256_loadu_si256((const __m256i *)(rows[k] + g));
      interleave8_avx2(p, o);
      uint8_t *out = plane + 8 * g;
      for (int k = 0; k < 8; k += 2) {
        const __m256i lo = transpose8x8_avx2(o[k]), hi = transpose8x8_avx2(o[k + 1]);
        _mm256_storeu_si256((__m256i *)(out + 16 * (size_t)k), _mm256_permute2x128_si256(lo, hi, 0x20));
        _mm256_storeu_si256((__m256i *)(out + 128 + 16 * (size_t)k), _mm256_permute2x128_si256(lo, hi, 0x31));
      }
    }
    plane_from_rows_tail(rows, g, row, plane);
    planes[b] = plane;
  }
  if (typesize > 1) byte_unshuffle(planes, count, typesize, dst);
}
#endif

typedef void (*bit_unshuffle_fn)(const uint8_t *, size_t, size_t, uint8_t *, uint8_t *);

static const struct {
  const char *name;
  bit_unshuffle_fn fn;
} KERNELS[] = {
  { "portable", bit_unshuffle_portable },
#if defined(__x86_64__) && defined(__SSE2__)
  { "sse2", bit_unshuffle_sse2 },
  { "avx2", bit_unshuffle_avx2 },
#endif
};
#define KERNEL_COUNT (sizeof KERNELS / sizeof KERNELS[0])

static int kernel_supported(size_t i) {
#if defined(__x86_64__) && defined(__SSE2__)
  if (KERNELS[i].fn == bit_unshuffle_avx2) return __builtin_cpu_supports("avx2");
#endif
  return (int)(i < KERNEL_COUNT);
}

/* The kernel Blosc decoding uses: the last supported one of KERNELS (the widest), unless chosen. */
static _Atomic(bit_unshuffle_fn) chosen = NULL;
static _Atomic(const char *) chosen_name = NULL;

static size_t widest_kernel(void) {
  size_t best = 0;
  for (size_t i = 0; i < KERNEL_COUNT; i++)
    if (kernel_supported(i)) best = i;
  return best;
}

void bit_unshuffle(const uint8_t *src, size_t count, size_t typesize, uint8_t *dst, uint8_t *work) {
  bit_unshuffle_fn fn = atomic_load_explicit(&chosen, memory_order_relaxed);
  if (!fn) {
    const size_t i = widest_kernel();
    fn = KERNELS[i].fn;
    atomic_store(&chosen_name, KERNELS[i].name);
    atomic_store(&chosen, fn);
  }
  fn(src, count, typesize, dst, work);
}

size_t bit_unshuffle_kernels(const char **names, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < KERNEL_COUNT; i++)
    if (kernel_supported(i) && n < max) names[n++] = KERNELS[i].name;
  return n;
}

int bit_unshuffle_with(const char *name, const uint8_t *src, size_t count, size_t typesize, uint8_t *dst, uint8_t *work) {
  for (size_t i = 0; i < KERNEL_COUNT; i++) {
    if (strcmp(KERNELS[i].name, name) == 0 && kernel_supported(i)) {
      KERNELS[i].fn(src, count, typesize, dst, work);
      return 0;
    }
  }
  return -1;
}

int bit_unshuffle_use(const char *name) {
  const size_t i0 = widest_kernel();
  for (size_t i = 0; i < KERNEL_COUNT; i++) {
    if (name ? strcmp(KERNELS[i].name, name) == 0 && kernel_supported(i) : i == i0) {
      atomic_store(&chosen_name, KERNELS[i].name);
      atomic_store(&chosen, KERNELS[i].fn);
      return 0;
    }
  }
  return -1;
}

const char *bit_unshuffle_kernel(void) {
  const char *name = atomic_load(&chosen_name);
  return name ? name : KERNELS[widest_kernel()].name;
}
