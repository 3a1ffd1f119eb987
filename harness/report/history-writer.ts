/**
 * Writes the charts of a published history: one SVG and one PNG per scenario and pattern
 * (charts/history.ts), named history-SCENARIO-PATTERN.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type HistoryPoint, historyCharts } from "../shard/history.ts";
import { historyChart } from "./charts/history.ts";
import { chartToSvg, svgToPng } from "./render-chart.ts";

export async function writeHistoryCharts(points: readonly HistoryPoint[], outDir: string, formats: readonly ("svg" | "png")[]): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const { key, points: pts } of historyCharts(points)) {
    const svg = await chartToSvg(historyChart(key, pts));
    const base = join(outDir, `history-${key.replace(/[^A-Za-z0-9._-]+/g, "-")}`);
    if (formats.includes("svg")) {
      writeFileSync(`${base}.svg`, svg);
      written.push(`${base}.svg`);
    }
    if (formats.includes("png")) {
      writeFileSync(`${base}.png`, svgToPng(svg));
      written.push(`${base}.png`);
    }
  }
  return written;
}
