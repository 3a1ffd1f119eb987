/** What h5py (Debian's) says of the HDF5 files a test's cache holds. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

/** Stored sizes of every chunk of the one chunked HDF5 file in the dataset cache `cache`. */
export function chunkSizes(cache: string): number[] {
  const script = `
import glob, h5py, json, sys
for f in glob.glob(sys.argv[1] + "/hdf5-*/data.h5"):
    d = h5py.File(f, "r")["data"]
    if d.chunks:
        print(json.dumps([d.id.get_chunk_info(i).size for i in range(d.id.get_num_chunks())]))
`;
  const out = execFileSync("/usr/bin/python3", ["-c", script, cache], { encoding: "utf8" }).trim().split("\n");
  assert.equal(out.length, 1, `one chunked file expected in ${cache}`);
  return JSON.parse(out[0]) as number[];
}
