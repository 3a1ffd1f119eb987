"""Remote storage for the Python reference engine, read as a Python user would.

Zarr over HTTP: zarr.storage.FSStore (strict: only a 404 is missing) on fsspec's HTTPFileSystem
(aiohttp). Zarr over S3: s3fs when it imports, else a small MutableMapping over a boto3 client
(BotoStore). HDF5: h5py on an fsspec file object (HTTP; S3 only through s3fs). Every open builds a
new filesystem or client with no cache (fsspec's instance cache skipped, listings cache off), so a
cold open shares nothing with the last.

Credentials are never sent over the protocol or printed: boto3 and s3fs take them from the
environment (the standard AWS variables or profile); for the harness's own S3 server the worker's
environment carries LAYOUTBENCH_MANAGED_S3_ACCESS_KEY_ID / _SECRET_ACCESS_KEY.
"""
import os
from collections.abc import MutableMapping
from concurrent.futures import ThreadPoolExecutor

import remote_errors


def _version(name):
    try:
        module = __import__(name)
        return getattr(module, "__version__", "unknown")
    except ImportError:
        return None


def versions():
    """What the remote read paths can use: None for a package that does not import."""
    return {name: _version(name) for name in ("fsspec", "aiohttp", "s3fs", "boto3")}


class RemoteError(Exception):
    """Why a remote open is refused (one line)."""


CREDENTIALS_HINT = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)"


def _missing_or_raise(error):
    """True for a missing object (404); a credentials failure becomes a RemoteError naming what to set; anything else is re-raised."""
    from botocore.exceptions import ClientError, NoCredentialsError

    if isinstance(error, NoCredentialsError):
        raise RemoteError(f"no AWS credentials found: {CREDENTIALS_HINT}")
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error.response.get("Error", {}).get("Code", "")
        if status == 404 or code in ("NoSuchKey", "404", "NotFound"):
            return True
        if status == 403:
            raise RemoteError(f"S3 answered 403 ({code or 'Forbidden'}): {CREDENTIALS_HINT} to credentials that can read the bucket")
    raise error


class BotoStore(MutableMapping):
    """Zarr keys as S3 objects under `prefix`, read with boto3 GETs (whole objects; getitems runs
    `concurrency` GETs at once, which zarr uses for the chunks of one selection). Read-only."""

    def __init__(self, client, bucket, prefix, concurrency):
        self.client, self.bucket, self.prefix = client, bucket, prefix.strip("/")
        self.concurrency = max(1, int(concurrency))
        self.pool = ThreadPoolExecutor(self.concurrency)

    def _key(self, key):
        return f"{self.prefix}/{key}" if self.prefix else key

    def __getitem__(self, key):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except Exception as e:
            if _missing_or_raise(e):
                raise KeyError(key)

    def getitems(self, keys, on_error="omit"):
        def fetch(key):
            try:
                return key, self[key]
            except KeyError:
                return key, None

        return {k: v for k, v in self.pool.map(fetch, keys) if v is not None}

    def __contains__(self, key):
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except Exception as e:
            return not _missing_or_raise(e)

    def __iter__(self):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + "/")
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) + 1 :]

    def __len__(self):
        return sum(1 for _ in self)

    def __setitem__(self, key, value):
        raise PermissionError("read-only store")

    def __delitem__(self, key):
        raise PermissionError("read-only store")

    def close(self):
        self.pool.shutdown(wait=True)
        self.client.close()


def _timeout_s(remote):
    """The silence after which a request fails: the harness's remote timeout (LAYOUTBENCH_REMOTE_TIMEOUT_MS or its default)."""
    return max(0.001, float(remote.get("timeoutMs", 10_000)) / 1000)


def _strict_fsstore(url, fs):
    """zarr's FSStore over `fs`, failing on a failed request instead of reading it as a missing chunk.

    zarr 2.13's FSStore turns any OSError of a single get into KeyError (a missing chunk: fill value),
    and its getitems asks fsspec to omit failed keys; a 403, 5xx, refused connection or timeout would
    then read as fill values. Here only a 404 (FileNotFoundError) means missing."""
    import zarr.storage

    class StrictFSStore(zarr.storage.FSStore):
        def __contains__(self, key):
            # fsspec's exists() answers False for any failure (403, 5xx, refused): GET it instead
            # (one request, as exists() makes), so only a 404 reads as absent.
            try:
                self.map[self._normalize_key(key)]
                return True
            except KeyError:
                return False

        def getitems(self, keys, **kwargs):
            normalized = [self._normalize_key(key) for key in keys]
            results = self.map.getitems(normalized, on_error="return")
            out = {}
            for key, norm in zip(keys, normalized):
                value = results.get(norm)
                if isinstance(value, KeyError) or value is None:
                    continue
                if isinstance(value, BaseException):
                    raise value
                out[key] = value
            return out

    return StrictFSStore(url, mode="r", fs=fs, exceptions=(KeyError, FileNotFoundError))


def describe(error, remote):
    """A one-line account of a failed request of this remote open, or None when `error` is not one."""
    if isinstance(error, RemoteError):
        return str(error)
    return remote_errors.describe(error, round(_timeout_s(remote) * 1000))


def _managed_credentials():
    key = os.environ.get("LAYOUTBENCH_MANAGED_S3_ACCESS_KEY_ID")
    secret = os.environ.get("LAYOUTBENCH_MANAGED_S3_SECRET_ACCESS_KEY")
    return {"aws_access_key_id": key, "aws_secret_access_key": secret} if key and secret else {}


def _endpoint(remote):
    """The storage's endpoint, else AWS_ENDPOINT_URL (which this boto3 does not read by itself), else AWS's."""
    return remote.get("endpoint") or os.environ.get("AWS_ENDPOINT_URL") or None


class RemoteOpen:
    """One remote open: what it holds (filesystem, client, file object) and how to release it."""

    def __init__(self, remote, backend):
        self.remote, self.backend = remote, backend
        self.closers = []
        self.kind = remote.get("kind")
        if self.kind not in ("http", "s3"):
            raise RemoteError(f"unknown remote kind {self.kind!r}: expected http or s3")

    def _http_fs(self):
        import fsspec

        # batch_size: how many GETs fsspec's cat (FSStore.getitems) runs at once.
        batch = max(1, int(self.remote.get("concurrency", 16)))
        import aiohttp

        # A request fails after the harness's timeout of silence (connecting or reading), as ours does;
        # aiohttp's default would wait 5 minutes in all. fsspec's HTTP reads make one attempt.
        timeout = _timeout_s(self.remote)
        client_kwargs = {"timeout": aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)}
        fs = fsspec.filesystem("http", skip_instance_cache=True, use_listings_cache=False, client_kwargs=client_kwargs)
        fs.batch_size = batch  # an attribute: HTTPFileSystem passes constructor keywords on to aiohttp
        self.closers.append(lambda: fs.clear_instance_cache())
        return fs

    def _s3fs(self):
        import s3fs

        r = self.remote
        endpoint = _endpoint(r)
        client_kwargs = {"endpoint_url": endpoint} if endpoint else {}
        if r.get("region"):
            client_kwargs["region_name"] = r["region"]
        creds = _managed_credentials() if r.get("managed") else {}
        fs = s3fs.S3FileSystem(
            config_kwargs={"connect_timeout": _timeout_s(r), "read_timeout": _timeout_s(r), "retries": {"max_attempts": 1}},
            skip_instance_cache=True,
            use_listings_cache=False,
            client_kwargs=client_kwargs,
            key=creds.get("aws_access_key_id"),
            secret=creds.get("aws_secret_access_key"),
        )
        return fs

    def _boto_client(self):
        import boto3
        from botocore.config import Config

        r = self.remote
        # A new session per open: no connection or credential cache shared with earlier opens.
        # One attempt per request, so the proxy's count is the GETs the reads needed.
        session = boto3.session.Session(**(_managed_credentials() if r.get("managed") else {}))
        config = Config(
            retries={"max_attempts": 1, "mode": "standard"},
            # The harness's timeout of silence, as for ours (botocore's default is 60 s each).
            connect_timeout=_timeout_s(r),
            read_timeout=_timeout_s(r),
            max_pool_connections=max(10, int(r.get("concurrency", 16))),
            s3={"addressing_style": "path"},  # a loopback or custom endpoint has no bucket subdomains
        )
        # Region None: boto3 resolves it (AWS_DEFAULT_REGION, the profile) as for any user.
        region = r.get("region") or os.environ.get("AWS_REGION") or None
        return session.client("s3", endpoint_url=_endpoint(r), region_name=region, config=config)

    def zarr_store(self):
        r = self.remote
        if self.kind == "http":
            fs = self._http_fs()
            return _strict_fsstore(f"{r['url'].rstrip('/')}/{r['path']}", fs)
        if _version("s3fs") is not None:
            fs = self._s3fs()
            return _strict_fsstore(f"{r['bucket']}/{r['prefix']}/{r['path']}", fs)
        store = BotoStore(self._boto_client(), r["bucket"], f"{r['prefix']}/{r['path']}", r.get("concurrency", 16))
        self.closers.append(store.close)
        return store

    def hdf5_file(self):
        """A file object for h5py: fsspec's, reading byte ranges of the one file."""
        r = self.remote
        if self.kind == "http":
            fs = self._http_fs()
            url = f"{r['url'].rstrip('/')}/{r['path']}"
        elif _version("s3fs") is not None:
            fs = self._s3fs()
            url = f"{r['bucket']}/{r['prefix']}/{r['path']}"
        else:
            raise RemoteError("h5py over S3 needs a file object: s3fs is not installed (boto3 alone gives no file object)")
        f = fs.open(url, "rb")
        self.closers.append(f.close)
        return f

    def close(self):
        for close in reversed(self.closers):
            try:
                close()
            except Exception:
                pass
        self.closers = []
