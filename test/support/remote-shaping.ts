export { HttpObjectStore, type RangeRequest } from "../../harness/remote/index.ts";
export { quantile } from "../../harness/stats/summary.ts";
