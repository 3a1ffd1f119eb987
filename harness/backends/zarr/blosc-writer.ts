/**
 * Who writes a Zarr layout's Blosc chunks on this machine. The system's c-blosc 1
 * (native/blosc-encode.c) when it loads: typesize = the item size, the frames zarr-python writes.
 * Without it, numcodecs.js's WASM Blosc, which always shuffles 4-byte elements (`sizeof(int)` in its
 * C glue): correct for 4-byte dtypes and for no shuffle, refused for the rest. Its frames are not
 * c-blosc's (a typesize of 4 in the header, another c-blosc inside), so the encoder is part of the
 * materialization cache key and recorded with the layout, and taking it is a warning, never silent.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Blosc from "numcodecs/blosc";
import { type BloscSettings, bloscEncoder } from "../../native/index.ts";
import type { LayoutEncoder } from "../types.ts";

/** The element size numcodecs.js's Blosc shuffles with, whatever the data. */
const NUMCODECS_TYPESIZE = 4;
/** How to get c-blosc 1 on Debian and Ubuntu. */
const BLOSC_REMEDY = "apt-get install libblosc1";

/** Encodes one chunk's bytes into a Blosc 1 frame. */
export type BloscEncode = (bytes: Uint8Array, settings: BloscSettings) => Promise<Uint8Array>;

export type BloscWriter =
  | { readonly ok: true; readonly encoder: LayoutEncoder; readonly encode: BloscEncode }
  | { readonly ok: false; readonly reason: string };

/**
 * The encoder for Blosc chunks of `typesize`-byte elements with `shuffle` (0 none, 1 byte, 2 bit),
 * or why none can write them correctly, the data named as `what` (e.g. "int16 data"). Asks for
 * c-blosc every time: it is loaded once per library.
 */
export function bloscWriter(typesize: number, shuffle: number, what = `${typesize}-byte elements`): BloscWriter {
  const status = bloscEncoder();
  if (status.ok) {
    const { encoder } = status;
    return { ok: true, encoder: { name: `c-blosc ${encoder.version}` }, encode: async (bytes, settings) => encoder.encode(bytes, settings) };
  }
  if (shuffle !== 0 && typesize !== NUMCODECS_TYPESIZE) {
    return {
      ok: false,
      reason:
        `${shuffle === 2 ? "bit" : "byte"} shuffle of ${what} needs the system's c-blosc 1, which is unavailable ` +
        `(${status.reason}): numcodecs.js, used without it, shuffles ${NUMCODECS_TYPESIZE}-byte elements only; ` +
        `${BLOSC_REMEDY}, or use shuffle: none or a 4-byte dtype (int32, uint32, float32)`,
    };
  }
  const name = `numcodecs.js ${numcodecsVersion()}`;
  return {
    ok: true,
    encoder: {
      name,
      fallback: { code: "blosc-encoder-fallback", reason: status.reason },
    },
    encode: (bytes, s) => Blosc.fromConfig({ cname: s.cname, clevel: s.clevel, shuffle: s.shuffle, blocksize: s.blocksize }).encode(bytes),
  };
}

let version: string | undefined;

/** numcodecs.js's version, from the package.json next to the module we import (it does not export it). */
function numcodecsVersion(): string {
  if (version !== undefined) return version;
  const path = fileURLToPath(new URL("../package.json", import.meta.resolve("numcodecs/blosc")));
  version = (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
  return version;
}
