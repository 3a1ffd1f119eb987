/**
 * The memmap backend's layout vocabulary: how a scenario file writes a memmap layout, its
 * defaults and its resolved form. Pure: imports only core/ and zod (see backends/layouts.ts).
 */
import { z } from "zod";
import { defineLayout, layoutObject } from "../layout-kit.ts";

export type MemmapAdvice = "normal" | "random" | "sequential";

export interface MemmapLayout {
  readonly name: string;
  readonly backend: "memmap";
  readonly advice: MemmapAdvice;
  /** Element order on disk: C (last axis fastest) or F (first axis fastest). */
  readonly order: "C" | "F";
  /**
   * Over remote storage (HTTP, S3), download the object to a local file, then map that: the
   * download is part of every timed sample. Absent: the layout maps local files only, and a
   * scenario reading it from remote storage is refused (mmap needs a file on a local filesystem).
   */
  readonly remote?: "download";
}

export const MEMMAP_DEFAULTS = { advice: "normal", order: "C" } as const;

const schema = layoutObject(
  "memmap",
  {
    advice: z
      .enum(["normal", "random", "sequential"])
      .optional()
      .describe(`madvise() advice for the mapping; decides readahead (default ${MEMMAP_DEFAULTS.advice}).`),
    order: z.enum(["C", "F"]).optional().describe(`Element order on disk (default ${MEMMAP_DEFAULTS.order}).`),
    remote: z
      .enum(["download"])
      .optional()
      .describe(
        "Over HTTP or S3 storage: download the object to local disk, then map it, timed and counted in every sample (mmap needs a file on a local filesystem; without this, remote storage is refused).",
      ),
  },
  "A NumPy .npy file read through mmap.",
);

export const memmapLayout = defineLayout({
  backend: "memmap",
  schema,
  defaults: MEMMAP_DEFAULTS,
  resolve: (l): MemmapLayout => ({
    name: l.name,
    backend: "memmap",
    advice: l.advice ?? MEMMAP_DEFAULTS.advice,
    order: l.order ?? MEMMAP_DEFAULTS.order,
    // Only when set, so layouts without it keep their scenario hash.
    ...(l.remote ? { remote: l.remote } : {}),
  }),
});
