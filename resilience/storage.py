"""Where uploaded files and generated reports live, and which cache and session store the
portal uses, chosen from the environment. ``settings.py`` calls these; tests call them with an
environment of their own.

The rule they keep: a file is never reachable without the portal. On local disk MEDIA_ROOT is
not routed; on S3-compatible object storage (MinIO, OSS, COS, S3) every object is written
private, any URL the storage might hand out is signed and short-lived, and no custom (public)
domain is configured — users get files only through the scoped download views, which read
them with ``storage.open()``. Sessions share a cache only when every process sees the same
cache: a per-process cache would let one process keep a session another has ended."""

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"
BACKENDS = ("local", "s3")
# Caches private to one process: sessions must not be served from them.
PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def default_storage_from_env(env) -> dict:
    """``STORAGES["default"]``: the local disk (MEDIA_ROOT) unless ``STORAGE_BACKEND=s3``, or,
    when STORAGE_BACKEND is not set at all, unless a bucket is named."""
    backend = env("STORAGE_BACKEND", default="") or (
        "s3" if env("AWS_STORAGE_BUCKET_NAME", default="") else "local"
    )
    backend = backend.strip().lower()
    if backend not in BACKENDS:
        raise ImproperlyConfigured(f"STORAGE_BACKEND must be one of {BACKENDS}, not {backend!r}")
    if backend == "local":
        return {"BACKEND": FILESYSTEM}
    bucket = env("AWS_STORAGE_BUCKET_NAME", default="")
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME")
    endpoint = env("AWS_S3_ENDPOINT_URL", default="") or None
    server_side_encryption = env("AWS_S3_SERVER_SIDE_ENCRYPTION", default="")
    options = {
        "bucket_name": bucket,
        "location": env("AWS_LOCATION", default="").strip("/"),
        "endpoint_url": endpoint,
        "region_name": env("AWS_S3_REGION_NAME", default="") or None,
        # Empty: boto3's own chain (its environment variables, an instance role, ...).
        "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
        # MinIO and most intranet gateways answer on one host name: bucket in the path.
        "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path" if endpoint else "auto"),
        "signature_version": "s3v4",
        # A private CA of the intranet; TLS verification itself cannot be switched off here.
        "verify": env("AWS_S3_CA_BUNDLE", default="") or None,
        "default_acl": "private",
        "querystring_auth": True,  # a URL, should one ever be made, is signed ...
        "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),  # ... and brief
        "custom_domain": None,  # never an unsigned public URL
        "file_overwrite": False,  # names are random; a clash gets a new name, never a swap
        "object_parameters": {
            "CacheControl": "private, no-store",
            **({"ServerSideEncryption": server_side_encryption} if server_side_encryption else {}),
        },
    }
    return {"BACKEND": S3, "OPTIONS": options}


def caches_from_env(env, *, redis_url: str) -> dict:
    """``CACHES``: ``CACHE_URL`` if set, else Redis at ``REDIS_URL`` (the broker's server), else
    a per-process memory cache (the embedded default, one process)."""
    default = redis_url.replace("redis://", "rediscache://", 1) if redis_url else ""
    cache_url = env("CACHE_URL", default=default)
    if not cache_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {"default": env.cache_url_config(cache_url)}


def session_engine_for(caches: dict) -> str:
    """``cached_db`` when the cache is shared by every process (Redis): a session is read from
    the cache and written through to the database, so a Redis restart or eviction (the
    dashboards fill the same cache) logs nobody out. Plain ``db`` otherwise: with a per-process
    cache, a log-out in one process would leave the session alive in another's copy."""
    if caches["default"]["BACKEND"] in PROCESS_LOCAL_CACHES:
        return "django.contrib.sessions.backends.db"
    return "django.contrib.sessions.backends.cached_db"
