/*
 * One BloscLZ stream (Blosc's own LZ77 codec, derived from FastLZ level 1), written from its
 * format: the first byte's low 5 bits are the first control byte (its high bits mark the codec).
 * A control byte c below 32 starts c + 1 literal bytes. Otherwise it starts a match: its length is
 * (c >> 5) + 2, where c >> 5 == 7 means "more length bytes follow, each added, until one is not
 * 255"; then one byte d, and the match starts ((c & 31) << 8) + d + 1 bytes back, except that
 * c & 31 == 31 with d == 255 means a far match: a big-endian uint16 f follows and the distance is
 * f + 8192. After each literal run or match the next control byte follows, until the input ends.
 *
 * Every read is checked against the input's end and every write against the output's end.
 */
#include <string.h>
#include "codecs.h"

#define NEAR_LIMIT 8191

ptrdiff_t blosclz_decode(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, const char **error) {
  const uint8_t *ip = src;
  const uint8_t *const iend = src + srclen;
  uint8_t *op = dst;
  uint8_t *const oend = dst + dstlen;
  if (srclen == 0) return 0;
  unsigned ctrl = *ip++ & 31;
  for (;;) {
    if (ctrl < 32) {
      const size_t literals = ctrl + 1;
      if (literals > (size_t)(iend - ip) || literals > (size_t)(oend - op)) {
        *error = "blosclz literals run past the input or the output";
        return -1;
      }
      memcpy(op, ip, literals);
      op += literals;
      ip += literals;
    } else {
      size_t len = (ctrl >> 5) + 2;
      if (ctrl >> 5 == 7) {
        unsigned b;
        do {
          if (ip >= iend) {
            *error = "blosclz match length runs past the input";
            return -1;
          }
          b = *ip++;
          len += b;
        } while (b == 255);
      }
      if (ip >= iend) {
        *error = "blosclz match distance runs past the input";
        return -1;
      }
      const unsigned d = *ip++;
      size_t dist = ((size_t)(ctrl & 31) << 8) + d + 1;
      if (d == 255 && (ctrl & 31) == 31) {
        if (iend - ip < 2) {
          *error = "blosclz far distance runs past the input";
          return -1;
        }
        dist = ((size_t)ip[0] << 8 | ip[1]) + NEAR_LIMIT + 1;
        ip += 2;
      }
      if (dist > (size_t)(op - dst)) {
        *error = "blosclz match distance points before the output";
        return -1;
      }
      if (len > (size_t)(oend - op)) {
        *error = "blosclz match runs past the output";
        return -1;
      }
      const uint8_t *ref = op - dist;
      if (dist == 1) {
        memset(op, *ref, len);
        op += len;
      } else if (dist >= len) {
        memcpy(op, ref, len);
        op += len;
      } else if (dist >= 8 && (size_t)(oend - op) >= len + 8) {
        /* Overlapping: chunks of 8 never overlap their own destination, and may run 8 bytes past. */
        uint8_t *const end = op + len;
        do { memcpy(op, ref, 8); op += 8; ref += 8; } while (op < end);
        op = end;
      } else {
        for (size_t k = 0; k < len; k++) *op++ = *ref++;
      }
    }
    if (ip >= iend) break;
    ctrl = *ip++;
  }
  return op - dst;
}
