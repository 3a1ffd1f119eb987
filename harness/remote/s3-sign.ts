/** SigV4 signing of one S3 request with aws4fetch's signer (maintained, no dependencies, the AWS-documented algorithm). */
import { AwsV4Signer } from "aws4fetch";
import type { AwsCredentials } from "./s3-credentials.ts";
import type { WireRequest } from "./transport.ts";

/**
 * `request` with the SigV4 `Authorization`, `X-Amz-Date` (and `X-Amz-Security-Token`) headers
 * added. The payload is signed as `UNSIGNED-PAYLOAD` unless the request sets `X-Amz-Content-Sha256`.
 * `datetime` (`YYYYMMDDTHHMMSSZ`) is for reproducing published examples.
 */
export async function signS3Request(
  request: WireRequest,
  credentials: Omit<AwsCredentials, "source">,
  region: string,
  datetime?: string,
): Promise<WireRequest> {
  const signer = new AwsV4Signer({
    method: request.method,
    url: request.url.toString(),
    headers: request.headers,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    service: "s3",
    region,
    // Sign every header we send, Range included (aws4fetch leaves Range out by default, for browsers).
    allHeaders: true,
    ...(datetime ? { datetime } : {}),
  });
  const signed = await signer.sign();
  const headers: Record<string, string> = {};
  signed.headers.forEach((value, name) => {
    // Node sets Host from the URL, the same value the signature covers.
    if (name !== "host") headers[name === "range" ? "Range" : name] = value;
  });
  return { ...request, url: new URL(signed.url.toString()), headers };
}
