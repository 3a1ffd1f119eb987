/** S3 client parts without sockets: credential lookup, SigV4 against AWS's published example, ListObjectsV2 parsing, labels. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encodeKey } from "../harness/remote/object-store.ts";
import { findCredentials, findRegion, parseIni } from "../harness/remote/s3-credentials.ts";
import { signS3Request } from "../harness/remote/s3-sign.ts";
import { parseListPage, S3ObjectStore } from "../harness/remote/s3-store.ts";

const files = (map: Record<string, string>) => (path: string) => map[path];

describe("credentials", () => {
  test("environment variables come first", () => {
    const env = { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "SECRET", AWS_SESSION_TOKEN: "TOKEN", HOME: "/h" };
    assert.deepEqual(findCredentials({ env, readFile: files({}) }), {
      accessKeyId: "AKID",
      secretAccessKey: "SECRET",
      sessionToken: "TOKEN",
      source: "environment",
    });
  });

  test("then the profile in the shared credentials file", () => {
    const credentials =
      "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\n# comment\n[bench]\naws_access_key_id=B\naws_secret_access_key = BS\naws_session_token = BT\n";
    const readFile = files({ "/h/.aws/credentials": credentials, "/custom": "[default]\naws_access_key_id = C\naws_secret_access_key = CS\n" });
    assert.deepEqual(findCredentials({ env: { HOME: "/h" }, readFile }), {
      accessKeyId: "D",
      secretAccessKey: "DS",
      sessionToken: undefined,
      source: "profile default (/h/.aws/credentials)",
    });
    assert.equal(findCredentials({ env: { HOME: "/h", AWS_PROFILE: "bench" }, readFile })?.sessionToken, "BT");
    assert.equal(findCredentials({ env: { HOME: "/h", AWS_SHARED_CREDENTIALS_FILE: "/custom" }, readFile })?.accessKeyId, "C");
    assert.equal(findCredentials({ env: { HOME: "/h", AWS_PROFILE: "nope" }, readFile }), undefined);
    assert.equal(findCredentials({ env: { HOME: "/empty" }, readFile }), undefined);
  });

  test("region: AWS_REGION, AWS_DEFAULT_REGION, the profile's config, us-east-1", () => {
    const readFile = files({ "/h/.aws/config": "[default]\nregion = eu-west-1\n[profile bench]\nregion = ap-south-1\n" });
    assert.equal(findRegion({ env: { HOME: "/h", AWS_REGION: "us-west-2", AWS_DEFAULT_REGION: "x" }, readFile }), "us-west-2");
    assert.equal(findRegion({ env: { HOME: "/h", AWS_DEFAULT_REGION: "ca-central-1" }, readFile }), "ca-central-1");
    assert.equal(findRegion({ env: { HOME: "/h" }, readFile }), "eu-west-1");
    assert.equal(findRegion({ env: { HOME: "/h", AWS_PROFILE: "bench" }, readFile }), "ap-south-1");
    assert.equal(findRegion({ env: { HOME: "/none" }, readFile }), "us-east-1");
  });

  test("INI sections and keys", () => {
    assert.deepEqual(
      [...parseIni("; c\n[a]\nK = v = w\n[ b ]\nx=1\n").entries()].map(([name, keys]) => [name, Object.fromEntries(keys)]),
      [
        ["a", { k: "v = w" }],
        ["b", { x: "1" }],
      ],
    );
  });
});

test("SigV4 reproduces AWS's published S3 example (GET /test.txt, Range bytes=0-9)", async () => {
  // From the Amazon S3 API reference, "Signature Calculations for the Authorization Header": example GET Object.
  const signed = await signS3Request(
    {
      method: "GET",
      url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
      key: "test.txt",
      headers: { Range: "bytes=0-9", "X-Amz-Content-Sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    },
    { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
    "us-east-1",
    "20130524T000000Z",
  );
  // aws4fetch separates the three parts with ", " where the example has ","; AWS accepts both.
  assert.equal(
    signed.headers.authorization.replaceAll(", ", ","),
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
  );
  assert.equal(signed.headers.Range, "bytes=0-9");
});

describe("ListObjectsV2", () => {
  test("keys are unescaped and the continuation token followed only when truncated", () => {
    const page = `<?xml version="1.0"?><ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a&amp;b.bin</Key><Size>1</Size></Contents><Contents><Key>c/&lt;d&gt;</Key></Contents><NextContinuationToken>tok&#43;1</NextContinuationToken></ListBucketResult>`;
    assert.deepEqual(parseListPage(page), { keys: ["a&b.bin", "c/<d>"], nextToken: "tok+1" });
    assert.deepEqual(parseListPage("<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>x</NextContinuationToken></ListBucketResult>"), {
      keys: [],
      nextToken: undefined,
    });
    assert.equal(parseListPage("<Error><Code>AccessDenied</Code></Error>"), undefined);
  });
});

describe("S3 store construction", () => {
  const SECRET = "s3cr3t-never-printed-7f9c";
  const env = { AWS_ACCESS_KEY_ID: "AKIDVISIBLE", AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: "session-token-9q", HOME: "/nonexistent" };

  test("the label names bucket, prefix, endpoint and region, never credentials", () => {
    const store = new S3ObjectStore({
      bucket: "bench-data",
      prefix: "runs/a",
      env: { ...env, AWS_ENDPOINT_URL: "http://user:pw@127.0.0.1:9000", AWS_REGION: "eu-west-1" },
    });
    assert.equal(store.label, "s3://bench-data/runs/a/ (http://127.0.0.1:9000/, eu-west-1)");
    assert.equal(store.baseUrl, "http://user:pw@127.0.0.1:9000/bench-data/runs/a/");
    for (const secret of [SECRET, "session-token-9q", "AKIDVISIBLE", "pw@"]) assert.ok(!store.label.includes(secret));
    assert.equal(store.credentialSource, "environment");
  });

  test("keys are sent encoded as SigV4's canonical URI encodes them, so the path sent is the path signed", () => {
    // encodeURIComponent alone leaves !'()* raw, which the signer encodes: a server signing the path it receives disagreed.
    assert.equal(encodeKey("a b/t~(1)!*'+=;,@:.bin"), "a%20b/t~%281%29%21%2A%27%2B%3D%3B%2C%40%3A.bin");
    assert.equal(encodeKey("ünï/日本.bin"), "%C3%BCn%C3%AF/%E6%97%A5%E6%9C%AC.bin");
    const store = new S3ObjectStore({ bucket: "b-1", prefix: "pre fix(1)", endpoint: "http://127.0.0.1:1", env });
    assert.equal(store.baseUrl, "http://127.0.0.1:1/b-1/pre%20fix%281%29/");
  });

  test("without an endpoint, AWS's virtual-hosted URL; the option beats AWS_ENDPOINT_URL", () => {
    assert.equal(new S3ObjectStore({ bucket: "b-1", env: { ...env, AWS_REGION: "us-west-2" } }).baseUrl, "https://b-1.s3.us-west-2.amazonaws.com/");
    assert.equal(
      new S3ObjectStore({ bucket: "b-1", endpoint: "http://127.0.0.1:1", env: { ...env, AWS_ENDPOINT_URL: "http://127.0.0.1:2" } }).baseUrl,
      "http://127.0.0.1:1/b-1/",
    );
  });

  test("bad input is one line naming what to set or what is allowed", () => {
    assert.throws(() => new S3ObjectStore({ bucket: "b-1", env: { HOME: "/nonexistent" } }), {
      message:
        "s3://b-1/ (us-east-1): no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or AWS_PROFILE naming a profile in ~/.aws/credentials",
    });
    assert.throws(() => new S3ObjectStore({ bucket: "Bad_Bucket", env }), {
      message: 'storage bucket: "Bad_Bucket" is not a valid S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)',
    });
    assert.throws(() => new S3ObjectStore({ bucket: "b-1", endpoint: "ftp://x", env }), {
      message: "storage endpoint (or AWS_ENDPOINT_URL): ftp://x/ uses ftp:; expected http: or https:",
    });
    assert.doesNotThrow(() => new S3ObjectStore({ bucket: "public-data", anonymous: true, env: { HOME: "/nonexistent" } }));
  });
});
