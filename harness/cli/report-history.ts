/** `layoutbench report --history DIR`: the charts of a published history. */
import { join } from "node:path";
import { UserError } from "../core/errors.ts";
import { parseDestination } from "../publish/destination.ts";
import { readHistory } from "../publish/read.ts";
import { readStoreHistory } from "../publish/store.ts";
import { S3ObjectStore } from "../remote/index.ts";
import { writeHistoryCharts } from "../report/history-writer.ts";
import { historyPoints } from "../shard/history.ts";

const FORMATS = ["svg", "png"] as const;

export async function reportHistory(dir: string, formatText: string | undefined, out: string | undefined): Promise<string[]> {
  const formats = (formatText ?? "svg,png").split(",").map((f) => f.trim().toLowerCase());
  const unknown = formats.find((f) => !(FORMATS as readonly string[]).includes(f));
  if (unknown !== undefined)
    throw new UserError(`layoutbench report: --format ${JSON.stringify(unknown)}: with --history, allowed: ${FORMATS.join(", ")} (comma-separated)`);
  const points = historyPoints(dir.startsWith("s3://") ? await readS3History(dir) : readHistory(dir));
  if (points.length === 0) throw new UserError(`${dir}: the published runs hold no successful case to draw`);
  return writeHistoryCharts(points, out ?? (dir.startsWith("s3://") ? "history-charts" : join(dir, "charts")), formats as ("svg" | "png")[]);
}

async function readS3History(url: string) {
  const destination = parseDestination(url, "layoutbench report: --history");
  if (destination.kind !== "s3") throw new UserError(`layoutbench report: --history ${url}: expected s3://BUCKET/PREFIX`);
  const store = new S3ObjectStore({ bucket: destination.bucket, prefix: destination.prefix });
  try {
    return await readStoreHistory(store);
  } finally {
    await store.close();
  }
}
