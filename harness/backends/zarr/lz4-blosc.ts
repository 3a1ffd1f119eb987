/**
 * Decoders for LZ4 blocks and Blosc 1 frames in plain JavaScript, writing into a buffer the caller
 * owns. Why not numcodecs.js (which the writers use): its embind glue copies every input byte into
 * the WASM heap with a JS loop and every result out of it again, so marshalling a Blosc-LZ4 chunk
 * costs more than decoding it (`npm run bench:decoders` measures it). These decoders cover the common cases (LZ4 inside Blosc, byte
 * shuffle or none, and numcodecs' `lz4` codec); for anything else `decodeBlosc` returns -1 and the
 * caller uses numcodecs.js. Every length and offset is bounds-checked: a corrupt chunk throws.
 * The addon's C decoders (harness/native/blosc.c, lz4.c) decode these frames faster, and also
 * bit shuffle, zstd and BloscLZ inside Blosc; these run when the addon was built without them.
 */

/** Decodes one raw LZ4 block (no frame) from `src[from, to)` into `dst[at, at + size)`; returns bytes written. */
function decodeLz4Block(src: Uint8Array, from: number, to: number, dst: Uint8Array, at: number, size: number): number {
  let ip = from;
  let op = at;
  const end = at + size;
  while (ip < to) {
    const token = src[ip++];
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (ip >= to) throw corrupt("literal length runs past the input");
        b = src[ip++];
        literals += b;
      } while (b === 255);
    }
    if (ip + literals > to || op + literals > end) throw corrupt("literals run past the input or the output");
    if (literals > 32) {
      dst.set(src.subarray(ip, ip + literals), op);
      ip += literals;
      op += literals;
    } else {
      for (let k = 0; k < literals; k++) dst[op++] = src[ip++];
    }
    // The last sequence holds literals only.
    if (ip >= to) break;
    if (ip + 2 > to) throw corrupt("match offset runs past the input");
    const offset = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    let length = token & 15;
    if (length === 15) {
      let b: number;
      do {
        if (ip >= to) throw corrupt("match length runs past the input");
        b = src[ip++];
        length += b;
      } while (b === 255);
    }
    length += 4;
    let ref = op - offset;
    if (offset === 0 || ref < at) throw corrupt("match offset points before the output");
    if (op + length > end) throw corrupt("match runs past the output");
    if (offset >= length && length > 32) {
      dst.copyWithin(op, ref, ref + length);
      op += length;
    } else if (offset === 1) {
      dst.fill(dst[ref], op, op + length);
      op += length;
    } else if (length <= 32) {
      for (let k = 0; k < length; k++) dst[op++] = dst[ref++];
    } else {
      // An overlapping match repeats the last `offset` bytes: copy in doubling, non-overlapping steps.
      const stop = op + length;
      let span = offset;
      while (op < stop) {
        const n = Math.min(span, stop - op);
        dst.copyWithin(op, ref, ref + n);
        op += n;
        span += n;
      }
    }
  }
  return op - at;
}

/** numcodecs' `lz4` codec: a little-endian uint32 of the decoded size, then one LZ4 block. */
export function decodeNumcodecsLz4(src: Uint8Array, dst: Uint8Array): number {
  if (src.length < 4) throw corrupt("numcodecs lz4 chunk shorter than its size header");
  const size = (src[0] | (src[1] << 8) | (src[2] << 16) | (src[3] << 24)) >>> 0;
  if (size > dst.length) throw corrupt(`numcodecs lz4 chunk decodes to ${size} bytes, expected at most ${dst.length}`);
  const n = decodeLz4Block(src, 4, src.length, dst, 0, size);
  if (n !== size) throw corrupt(`numcodecs lz4 chunk decoded to ${n} bytes, its header says ${size}`);
  return n;
}

const BLOSC_DOSHUFFLE = 0x1;
const BLOSC_MEMCPYED = 0x2;
const BLOSC_DOBITSHUFFLE = 0x4;
const BLOSC_DONT_SPLIT = 0x10;
/** Blosc's compressor format code (flags bits 5–7) for LZ4 (also what LZ4HC writes). */
const BLOSC_FORMAT_LZ4 = 1;
const BLOSC_HEADER = 16;
const BLOSC_MAX_SPLITS = 16;
const BLOSC_MIN_BUFFERSIZE = 128;
/** The last frame format of Blosc 1; later ones are Blosc 2 chunks. */
const BLOSC_MAX_VERSION = 2;

/**
 * Decodes a Blosc 1 frame into `dst` (at least the frame's `nbytes` long), using `tmp` (at least the
 * frame's block size) for shuffled blocks. Returns the decoded size, or -1 when the frame uses
 * something this decoder does not cover (bit shuffle, a compressor other than LZ4, Blosc 2): decode
 * it elsewhere.
 */
export function decodeBlosc(src: Uint8Array, dst: Uint8Array, tmp: Uint8Array): number {
  if (src.length < BLOSC_HEADER) throw corrupt("blosc frame shorter than its header");
  const flags = src[2];
  const typesize = src[3];
  const nbytes = u32(src, 4);
  const blocksize = u32(src, 8);
  const cbytes = u32(src, 12);
  if (cbytes > src.length) throw corrupt(`blosc frame says ${cbytes} bytes, has ${src.length}`);
  if (nbytes > dst.length) throw corrupt(`blosc frame decodes to ${nbytes} bytes, expected at most ${dst.length}`);
  // A Blosc 2 chunk may have a longer header, even when memcpyed.
  if (src[0] > BLOSC_MAX_VERSION) return -1;
  if (flags & BLOSC_MEMCPYED) {
    if (BLOSC_HEADER + nbytes > src.length) throw corrupt("memcpyed blosc frame shorter than its size");
    dst.set(src.subarray(BLOSC_HEADER, BLOSC_HEADER + nbytes));
    return nbytes;
  }
  if (flags & BLOSC_DOBITSHUFFLE || flags >>> 5 !== BLOSC_FORMAT_LZ4) return -1;
  if (nbytes === 0) return 0;
  if (blocksize === 0) throw corrupt("blosc frame with a zero block size");
  const shuffled = (flags & BLOSC_DOSHUFFLE) !== 0 && typesize > 1;
  if (shuffled && tmp.length < blocksize) throw new RangeError(`blosc scratch of ${tmp.length} bytes, blocks are ${blocksize}`);
  const nblocks = Math.ceil(nbytes / blocksize);
  if (BLOSC_HEADER + 4 * nblocks > cbytes) throw corrupt("blosc block table runs past the frame");
  for (let j = 0; j < nblocks; j++) {
    const leftover = j === nblocks - 1 && nbytes % blocksize !== 0;
    const bsize = leftover ? nbytes % blocksize : blocksize;
    const split = (flags & BLOSC_DONT_SPLIT) === 0 && typesize <= BLOSC_MAX_SPLITS && blocksize / typesize >= BLOSC_MIN_BUFFERSIZE && !leftover;
    const nsplits = split ? typesize : 1;
    if (bsize % nsplits !== 0) throw corrupt("blosc block size is not a multiple of the type size");
    const neblock = bsize / nsplits;
    const target = shuffled ? tmp : dst;
    const base = shuffled ? 0 : j * blocksize;
    let ip = u32(src, BLOSC_HEADER + 4 * j);
    for (let s = 0; s < nsplits; s++) {
      if (ip + 4 > cbytes) throw corrupt("blosc stream header runs past the frame");
      const csize = u32(src, ip);
      ip += 4;
      if (ip + csize > cbytes) throw corrupt("blosc stream runs past the frame");
      const at = base + s * neblock;
      if (csize === neblock) {
        target.set(src.subarray(ip, ip + csize), at);
      } else if (decodeLz4Block(src, ip, ip + csize, target, at, neblock) !== neblock) {
        throw corrupt("blosc stream decoded to the wrong size");
      }
      ip += csize;
    }
    if (shuffled) unshuffle(tmp, bsize, typesize, dst, j * blocksize);
  }
  return nbytes;
}

/** Blosc's byte unshuffle of one block: byte b of element i sits at b * count + i in `src`. */
function unshuffle(src: Uint8Array, size: number, typesize: number, dst: Uint8Array, at: number): void {
  const count = Math.floor(size / typesize);
  if (typesize === 4 && count % 4 === 0 && (dst.byteOffset + at) % 4 === 0 && src.byteOffset % 4 === 0) {
    // Four elements per step: one 32-bit load from each byte plane, four 32-bit stores.
    // Int32 throughout keeps every value a small integer for the JIT (Uint32 loads can become doubles).
    const out = new Int32Array(dst.buffer, dst.byteOffset + at, count);
    const words = count >>> 2;
    const p0 = new Int32Array(src.buffer, src.byteOffset, words);
    const p1 = new Int32Array(src.buffer, src.byteOffset + count, words);
    const p2 = new Int32Array(src.buffer, src.byteOffset + 2 * count, words);
    const p3 = new Int32Array(src.buffer, src.byteOffset + 3 * count, words);
    for (let i = 0, o = 0; i < words; i++, o += 4) {
      const a = p0[i],
        b = p1[i],
        c = p2[i],
        d = p3[i];
      out[o] = (a & 0xff) | ((b & 0xff) << 8) | ((c & 0xff) << 16) | (d << 24);
      out[o + 1] = ((a >> 8) & 0xff) | (b & 0xff00) | ((c & 0xff00) << 8) | ((d & 0xff00) << 16);
      out[o + 2] = ((a >> 16) & 0xff) | ((b >> 8) & 0xff00) | (c & 0xff0000) | ((d & 0xff0000) << 8);
      out[o + 3] = ((a >> 24) & 0xff) | ((b >> 16) & 0xff00) | ((c >> 8) & 0xff0000) | (d & -0x1000000);
    }
  } else if (typesize === 4 && (dst.byteOffset + at) % 4 === 0) {
    const out = new Uint32Array(dst.buffer, dst.byteOffset + at, count);
    const c2 = 2 * count,
      c3 = 3 * count;
    for (let i = 0; i < count; i++) out[i] = src[i] | (src[count + i] << 8) | (src[c2 + i] << 16) | (src[c3 + i] << 24);
  } else {
    for (let b = 0; b < typesize; b++) {
      const from = b * count;
      for (let i = 0, o = at + b; i < count; i++, o += typesize) dst[o] = src[from + i];
    }
  }
  // Bytes past the last whole element are stored unshuffled.
  const tail = count * typesize;
  if (tail < size) dst.set(src.subarray(tail, size), at + tail);
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function corrupt(what: string): Error {
  return new Error(`corrupt chunk: ${what}`);
}
