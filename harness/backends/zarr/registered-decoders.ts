/**
 * Decoding for the Blosc, LZ4 and zstd codecs this backend registers in zarrita (codecs.ts): the
 * addon's C decoders, as the direct chunk reader uses, wherever they cover the frame, so the paths
 * that still go through zarrita — `zarr.get` on sharded arrays and `zarr.set` merging the chunks a
 * write covers partly — decode at the same speed and a sharded layout is not compared with an
 * unsharded one through a slower decoder. numcodecs.js decodes what the addon does not cover (or
 * everything, without the addon). The decoded size comes from each frame's own header.
 */
import { availableParallelism } from "node:os";
import { nativeDecoders } from "../../native/index.ts";
import { readerThreads } from "../concurrency.ts";
import { BLOSC_INNER, bloscCovered } from "./chunk-decoders.ts";

export type RegisteredCodec = "blosc" | "lz4" | "zstd";

type Decode = (bytes: Uint8Array) => Promise<Uint8Array>;

const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

/** A Blosc 1 frame's decoded size (`nbytes`, bytes 4–7 of its 16-byte header). */
export function bloscDecodedSize(frame: Uint8Array): number | undefined {
  return frame.length >= 16 ? u32(frame, 4) : undefined;
}

/** numcodecs' `lz4` chunk: a little-endian uint32 decoded size, then one LZ4 block. */
export function lz4DecodedSize(frame: Uint8Array): number | undefined {
  return frame.length >= 4 ? u32(frame, 0) : undefined;
}

/** A zstd frame's content size from its header (RFC 8878 §3.1.1.1), or undefined when the frame does not state it. */
export function zstdContentSize(frame: Uint8Array): number | undefined {
  if (frame.length < 5 || u32(frame, 0) !== 0xfd2fb528) return undefined;
  const descriptor = frame[4];
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3];
  const fcsBytes = fcsFlag === 0 ? singleSegment : [0, 2, 4, 8][fcsFlag];
  if (fcsBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + dictionaryBytes;
  if (frame.length < at + fcsBytes) return undefined;
  switch (fcsBytes) {
    case 1:
      return frame[at];
    case 2:
      return (frame[at] | (frame[at + 1] << 8)) + 256;
    case 4:
      return u32(frame, at);
    default: {
      const high = u32(frame, at + 4);
      // Beyond 2^53 bytes no chunk exists: leave such a frame to the fallback.
      return high < 0x200000 ? high * 2 ** 32 + u32(frame, at) : undefined;
    }
  }
}

/** What decodes `codec`'s chunks inside zarrita: the addon's decoder, or the fallback's label. */
export function registeredDecoderLabel(codec: RegisteredCodec, cname: string | undefined, fallback: string): string {
  if (!nativeDecoders()) return fallback;
  switch (codec) {
    case "lz4":
      return "C LZ4 (addon)";
    case "zstd":
      return "libzstd (addon)";
    case "blosc":
      return bloscCovered({ cname }) ? `C Blosc-${BLOSC_INNER[cname!]} (addon)` : fallback;
  }
}

/** Threads one chunk's decode uses inside zarrita: the addon spreads a Blosc frame's blocks over the reader's threads. */
export function registeredDecoderThreads(codec: string, cname: string | undefined): number {
  return codec === "blosc" && nativeDecoders() && bloscCovered({ cname }) ? readerThreads(availableParallelism()) : 1;
}

/** The first `n` bytes as an array spanning its whole buffer (zarrita's `bytes` codec views `.buffer`). */
const whole = (out: Uint8Array, n: number): Uint8Array => (n === out.length ? out : out.slice(0, n));

/** `fallback` with the addon's decoder in front of it for the frames the addon covers. */
export function withNativeDecode(codec: RegisteredCodec, fallback: Decode): Decode {
  const native = nativeDecoders();
  if (!native) return fallback;
  const threads = readerThreads(availableParallelism());
  // Each: the decoded size from the frame's header, and the addon's decode into a buffer of it (-1: not covered).
  const steps: Record<RegisteredCodec, { sizeOf(frame: Uint8Array): number | undefined; decode(src: Uint8Array, dst: Uint8Array): number }> = {
    blosc: { sizeOf: bloscDecodedSize, decode: (src, dst) => native.blosc(src, dst, threads) },
    lz4: { sizeOf: lz4DecodedSize, decode: (src, dst) => native.lz4(src, dst) },
    zstd: { sizeOf: zstdContentSize, decode: (src, dst) => native.zstd(src, dst) },
  };
  const { sizeOf, decode } = steps[codec];
  return async (bytes) => {
    const size = sizeOf(bytes);
    if (size === undefined) return fallback(bytes);
    const out = new Uint8Array(size);
    const n = decode(bytes, out);
    return n >= 0 ? whole(out, n) : fallback(bytes);
  };
}
