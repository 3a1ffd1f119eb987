/*
 * Blosc 1 frames with LZ4, BloscLZ or zstd inside, byte, bit or no shuffle (the JS decoder,
 * harness/backends/zarr/lz4-blosc.ts, covers LZ4 with byte or no shuffle). Layout of a frame:
 *   0 version, 1 compressor version, 2 flags, 3 typesize, 4 nbytes, 8 blocksize, 12 cbytes
 *   (little-endian uint32s), then unless memcpyed one uint32 start offset per block, and at each
 *   start the block's streams: a uint32 size and that many bytes (compressed, or raw when the size
 *   equals the stream's decoded size). A block is split into `typesize` streams, one per byte plane,
 *   unless the frame says not to or the block is too small or the last, partial one.
 * Flags: bit 0 byte shuffle, 1 memcpyed (the raw bytes follow the header), 2 bit shuffle,
 * 4 do not split, 5-7 the compressor (0 BloscLZ, 1 LZ4, also written by LZ4HC, 2 Snappy, 3 zlib,
 * 4 zstd; Snappy and zlib are left to numcodecs.js).
 */
#include <stdio.h>
#include <string.h>
#include "codecs.h"

#define MAX_SPLITS 16
#define MIN_BUFFERSIZE 128
#define FORMAT_BLOSCLZ 0
#define FORMAT_LZ4 1
#define FORMAT_ZSTD 4
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
  /* A byte shuffle flag wins over a bit shuffle one, as in Blosc's decoder. */
  f->bitshuffled = (flags & 0x4) != 0 && !(flags & 0x1);
  f->compressor = flags >> 5;
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
  if (f->compressor != FORMAT_LZ4 && f->compressor != FORMAT_BLOSCLZ && f->compressor != FORMAT_ZSTD) return BLOSC_UNSUPPORTED;
  if (f->nbytes == 0) return BLOSC_OK;
  if (f->blocksize == 0) {
    snprintf(error, errlen, "blosc frame with a zero block size");
    return BLOSC_CORRUPT;
  }
  if (f->typesize == 0) {
    snprintf(error, errlen, "blosc frame with a zero type size");
    return BLOSC_CORRUPT;
  }
  f->nblocks = f->nbytes / f->blocksize + (f->nbytes % f->blocksize != 0);
  if ((size_t)BLOSC_HEADER + 4 * (size_t)f->nblocks > f->cbytes) {
    snprintf(error, errlen, "blosc block table runs past the frame");
    return BLOSC_CORRUPT;
  }
  return BLOSC_OK;
}

/* The largest block: a block size past the frame's size (allowed) means one, partial block. */
static size_t largest_block(const blosc_frame *f) {
  return f->blocksize < f->nbytes ? f->blocksize : f->nbytes;
}

size_t blosc_scratch_bytes(const blosc_frame *f) {
  return f->bitshuffled ? 2 * largest_block(f) : f->shuffled ? largest_block(f) : 0;
}

/* One stream of a block, by the frame's compressor. */
static ptrdiff_t decode_stream(int compressor, const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, const char **error) {
  switch (compressor) {
    case FORMAT_LZ4: return lz4_decode_block(src, srclen, dst, dstlen, error);
    case FORMAT_BLOSCLZ: return blosclz_decode(src, srclen, dst, dstlen, error);
    default: return zstd_decode(src, srclen, dst, dstlen, error);
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
  uint8_t *const target = f->shuffled || f->bitshuffled ? tmp : block;
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
      const ptrdiff_t n = decode_stream(f->compressor, src + ip, csize, at, neblock, error);
      if (n < 0) return -1;
      if ((size_t)n != neblock) {
        *error = "blosc stream decoded to the wrong size";
        return -1;
      }
    }
    ip += csize;
  }
  if (f->shuffled) {
    byte_unshuffle(planes, count, f->typesize, block);
    /* Bytes past the last whole element are stored unshuffled (only in unsplit blocks). */
    const size_t tail = count * f->typesize;
    if (tail < bsize) memcpy(block + tail, tmp + tail, bsize - tail);
  } else if (f->bitshuffled) {
    /* Blosc bit-shuffles whole groups of 8 elements only, or else leaves the block as it is. */
    const size_t shuffled = count % 8 == 0 ? count * f->typesize : 0;
    if (shuffled) bit_unshuffle(tmp, count, f->typesize, block, tmp + largest_block(f));
    if (shuffled < bsize) memcpy(block + shuffled, tmp + shuffled, bsize - shuffled);
  }
  return 0;
}
