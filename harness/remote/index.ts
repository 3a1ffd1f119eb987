/** The public surface of remote storage: object stores over HTTP and S3, their request log, ranges and errors. */
export { RemoteError, type RemoteErrorKind, redactUrl } from "./errors.ts";
export { HttpObjectStore, type HttpStoreOptions } from "./http-store.ts";
export type { ObjectStore } from "./object-store.ts";
export { formatContentRange, formatRange, type RangeRequest, type RangeResolution, rangeLength, resolveRange } from "./range.ts";
export { RequestLog, type RequestRecord, type RequestSummary, summarizeRequests } from "./request-log.ts";
export { CREDENTIALS_HINT } from "./s3-credentials.ts";
export { S3ObjectStore, type S3StoreOptions } from "./s3-store.ts";
export { TRANSPORT_DEFAULTS, type TransportOptions } from "./transport.ts";
