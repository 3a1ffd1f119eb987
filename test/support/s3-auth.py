"""botocore's side of the SigV4 tests: an IAM user for a moto that checks signatures, and
botocore's own signature of requests our client signed, as an independent implementation.

  s3-auth.py user ENDPOINT   creates user `bench` with an s3:* policy and an access key through
                             moto's IAM API (3 requests); prints {"accessKeyId", "secretAccessKey"}.
  s3-auth.py sign            reads a JSON list of requests as our client sent them ({method, url,
                             headers, accessKeyId, secretAccessKey, region}) and prints, for each,
                             botocore's S3SigV4Auth canonical request, signed headers and signature
                             for the same time and headers.
  s3-auth.py put ENDPOINT ACCESS_KEY SECRET BUCKET
                             uploads 10 bytes with boto3 under each key of the JSON list on stdin
                             and prints the statuses (200 or the error code), to compare moto's
                             verdict on botocore's signature with its verdict on ours.
"""
import json
import sys

import boto3
import botocore.exceptions
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def user(endpoint):
    # moto lets these 3 requests through unsigned; every later one must be signed with the key made here.
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
    iam.create_user(UserName="bench")
    iam.put_user_policy(UserName="bench", PolicyName="s3-all", PolicyDocument=json.dumps(POLICY))
    key = iam.create_access_key(UserName="bench")["AccessKey"]
    return {"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}


def sign(requests):
    out = []
    for r in requests:
        headers = {name: value for name, value in r["headers"].items() if name.lower() != "authorization"}
        request = AWSRequest(method=r["method"], url=r["url"], headers=headers)
        # The same instant our client signed at, so only the algorithm can differ.
        request.context["timestamp"] = headers["x-amz-date"]
        auth = S3SigV4Auth(Credentials(r["accessKeyId"], r["secretAccessKey"]), "s3", r["region"])
        canonical = auth.canonical_request(request)
        out.append(
            {
                "canonicalRequest": canonical,
                "signedHeaders": auth.signed_headers(auth.headers_to_sign(request)),
                "signature": auth.signature(auth.string_to_sign(request, canonical), request),
            }
        )
    return out


def put(endpoint, access_key, secret, bucket, keys):
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=access_key, aws_secret_access_key=secret)
    statuses = []
    for key in keys:
        try:
            s3.put_object(Bucket=bucket, Key=key, Body=b"0123456789")
            statuses.append(200)
        except botocore.exceptions.ClientError as error:
            statuses.append(error.response["Error"]["Code"])
    return statuses


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "user":
        print(json.dumps(user(sys.argv[2])))
    elif command == "sign":
        print(json.dumps(sign(json.load(sys.stdin))))
    elif command == "put":
        print(json.dumps(put(*sys.argv[2:6], json.load(sys.stdin))))
    else:
        sys.exit(f"unknown command {command}")
