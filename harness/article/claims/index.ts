/**
 * The article's claims in page order: adding a claim is one scenario file, one module and one
 * line here.
 */
import type { Claim } from "../types.ts";
import { pageCacheClaim } from "./01-page-cache.ts";
import { writeFlushClaim } from "./02-write-flush.ts";
import { noExtraCopyClaim } from "./03-no-extra-copy.ts";
import { columnVsRowClaim } from "./04-column-vs-row.ts";
import { chunkShapesClaim } from "./05-chunk-shapes.ts";
import { compressionBandwidthClaim } from "./06-compression-bandwidth.ts";
import { objectStoreClaim } from "./07-object-store.ts";
import { sharedPagesClaim } from "./08-shared-pages.ts";
import { threadingClaim } from "./09-threading.ts";
import { largerThanMemoryClaim } from "./10-larger-than-memory.ts";

export const CLAIMS: readonly Claim[] = [
  pageCacheClaim,
  writeFlushClaim,
  noExtraCopyClaim,
  columnVsRowClaim,
  chunkShapesClaim,
  compressionBandwidthClaim,
  objectStoreClaim,
  sharedPagesClaim,
  threadingClaim,
  largerThanMemoryClaim,
];
