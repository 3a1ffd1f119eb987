/*
 * One raw LZ4 block (no frame), written from the block format description: a sequence is a token
 * (high nibble: literal count, low nibble: match length - 4; 15 means "more length bytes follow,
 * each added, until one is not 255"), the literals, a 2-byte little-endian offset back into the
 * output and the match. The last sequence holds literals only.
 *
 * Every read is checked against the input's end and every write against the output's end, so a
 * corrupt block yields an error, never an access outside [src, src + srclen) or [dst, dst + dstlen).
 * Speed comes from copying 8 or 16 bytes at a time where both buffers have that much room left; the
 * last bytes of a block go through exact copies.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "codecs.h"

/* Room kept free past a wide copy: copies may write up to this many bytes past their end. */
#define WIDE 16
/* Input and output left for the fast path (see lz4_decode_block). */
#define FAST_IN 32
#define FAST_OUT 64

static inline void copy8(uint8_t *d, const uint8_t *s) { memcpy(d, s, 8); }
static inline void copy16(uint8_t *d, const uint8_t *s) { memcpy(d, s, 16); }

/* Adds the length bytes that follow a nibble of 15. Returns 0 when they run past the input. */
static inline int extra_length(const uint8_t **ip, const uint8_t *iend, size_t *length) {
  const uint8_t *p = *ip;
  unsigned b;
  do {
    if (p >= iend) return 0;
    b = *p++;
    *length += b;
  } while (b == 255);
  *ip = p;
  return 1;
}

/*
 * Copies a match of `len` bytes from `off` bytes back, when at least WIDE bytes of output lie past
 * its end. Overlapping matches (off < len) repeat the last `off` bytes, so every copy below reads
 * only bytes already written: chunks of 16 (8) never overlap their own destination when off >= 16
 * (8); shorter offsets repeat a pattern built once, advancing by a multiple of the offset.
 */
static inline void wide_match(uint8_t *op, size_t off, size_t len) {
  const uint8_t *ref = op - off;
  uint8_t *const end = op + len;
  if (off >= 16) {
    do { copy16(op, ref); op += 16; ref += 16; } while (op < end);
  } else if (off >= 8) {
    do { copy8(op, ref); op += 8; ref += 8; } while (op < end);
  } else if (off == 1) {
    memset(op, *ref, len);
  } else if ((off == 2 || off == 4) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
    /* Common in shuffled data: the pattern fills a word by multiplication, 8 bytes per store. */
    uint64_t word = off == 2 ? (uint64_t)(ref[0] | ref[1] << 8) * 0x0001000100010001ull
                             : (uint64_t)((uint32_t)ref[0] | (uint32_t)ref[1] << 8 | (uint32_t)ref[2] << 16 | (uint32_t)ref[3] << 24) * 0x0000000100000001ull;
    do { memcpy(op, &word, 8); op += 8; } while (op < end);
  } else {
    /*
     * The first 8 bytes one by one (each reads a byte already written), then 8 at a time from
     * `step` back, the smallest multiple of the offset that is at least 8: the pattern repeats
     * with that period too, and chunks no longer overlap their own destination. Common in
     * bit-shuffled data, whose short repeats of 3, 5, 6 or 7 bytes a modulo per byte made slow.
     */
    static const uint8_t STEP[8] = { 0, 8, 8, 9, 8, 10, 12, 14 };
    for (int i = 0; i < 8; i++) op[i] = ref[i];
    ref = op + 8 - STEP[off];
    op += 8;
    while (op < end) { copy8(op, ref); op += 8; ref += 8; }
  }
}

ptrdiff_t lz4_decode_block(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, const char **error) {
  const uint8_t *ip = src;
  const uint8_t *const iend = src + srclen;
  uint8_t *op = dst;
  uint8_t *const oend = dst + dstlen;
  while (ip < iend) {
    const unsigned token = *ip++;
    size_t literals = token >> 4;
    /*
     * Most sequences: under 15 literals and a match under 19 bytes, far from both ends. Then every
     * bound holds by the distances alone (at most 16 + 2 bytes are read, at most 14 + 32 written),
     * and only the offset needs checking; fixed-size copies, no loops.
     */
    if (literals < 15 && (token & 15) < 15 && iend - ip >= FAST_IN && oend - op >= FAST_OUT) {
      copy16(op, ip);
      op += literals;
      ip += literals;
      const size_t off = (size_t)ip[0] | (size_t)ip[1] << 8;
      ip += 2;
      if (off == 0 || off > (size_t)(op - dst)) {
        *error = "match offset points before the output";
        return -1;
      }
      const size_t len = (token & 15) + 4;
      const uint8_t *ref = op - off;
      /* The second copy only when needed: it would read bytes the first just wrote, a slow load. */
      if (off >= 16) {
        copy16(op, ref);
        if (len > 16) copy16(op + 16, ref + 16);
      } else if (off >= 8) {
        copy8(op, ref);
        copy8(op + 8, ref + 8);
        if (len > 16) copy8(op + 16, ref + 16);
      } else {
        wide_match(op, off, len);
      }
      op += len;
      continue;
    }
    if (literals == 15 && !extra_length(&ip, iend, &literals)) {
      *error = "literal length runs past the input";
      return -1;
    }
    if (literals > (size_t)(iend - ip) || literals > (size_t)(oend - op)) {
      *error = "literals run past the input or the output";
      return -1;
    }
    if (literals <= 16 && iend - ip >= 16 && oend - op >= 16) copy16(op, ip);
    else memcpy(op, ip, literals);
    ip += literals;
    op += literals;
    if (ip >= iend) break;
    if (iend - ip < 2) {
      *error = "match offset runs past the input";
      return -1;
    }
    const size_t off = (size_t)ip[0] | (size_t)ip[1] << 8;
    ip += 2;
    size_t len = token & 15;
    if (len == 15 && !extra_length(&ip, iend, &len)) {
      *error = "match length runs past the input";
      return -1;
    }
    len += 4;
    if (off == 0 || off > (size_t)(op - dst)) {
      *error = "match offset points before the output";
      return -1;
    }
    if (len > (size_t)(oend - op)) {
      *error = "match runs past the output";
      return -1;
    }
    if ((size_t)(oend - op) - len >= WIDE) {
      wide_match(op, off, len);
      op += len;
    } else {
      const uint8_t *ref = op - off;
      for (size_t k = 0; k < len; k++) *op++ = *ref++;
    }
  }
  return op - dst;
}
