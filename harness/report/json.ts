/**
 * The view model as JSON, for other tools (dashboards, notebooks) that want the ranked,
 * summarized numbers without re-deriving them from raw samples.
 */
import type { ReportModel } from "./model-types.ts";

/** The view model as pretty-printed JSON, newline-terminated. */
export function renderJson(model: ReportModel): string {
  return JSON.stringify(model, null, 2) + "\n";
}
