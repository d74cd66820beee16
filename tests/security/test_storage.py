"""Uploaded files and generated reports live on the local disk by default and in a private
S3-compatible bucket when the environment says so (``STORAGE_BACKEND=s3``, or a bucket named).
Either way a file reaches a user only through a scoped download view that reads it with the
storage API (``FieldFile.open()``), never by a filesystem path, so every view works on a
storage that has no paths; a bucket's objects are private and any URL for one is signed and
short-lived. Sessions use the cache (written through to the database) only when the cache is
shared by every process."""

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import InMemoryStorage
from django.urls import reverse

from apps.plans.models import PlanAttachment
from apps.reports.models import ReportRequest
from resilience.storage import (
    FILESYSTEM,
    S3,
    caches_from_env,
    default_storage_from_env,
    session_engine_for,
)
from tests.conftest import make_user
from tests.plans.factories import PDF_BYTES, PlanFactory, pdf_upload

BUCKET = {
    "AWS_STORAGE_BUCKET_NAME": "resilience-media",
    "AWS_S3_ENDPOINT_URL": "http://minio:9000",
    "AWS_ACCESS_KEY_ID": "portal",
    "AWS_SECRET_ACCESS_KEY": "portal-secret-not-real",
}


class PathlessStorage(InMemoryStorage):
    """Files in memory and, like S3, no local path at all."""

    def _relative_path(self, name):
        # InMemoryStorage keys its files by path internally; only the public path() goes.
        return os.path.relpath(super().path(name), self.location)

    def path(self, name):
        raise NotImplementedError("This backend doesn't support absolute paths.")


def env_of(**values):
    env = environ.Env()
    env.ENVIRON = values
    return env


# --- which storage, cache and session store the environment selects ------------------------


def test_with_nothing_configured_files_stay_on_the_local_disk():
    assert default_storage_from_env(env_of()) == {"BACKEND": FILESYSTEM}


def test_naming_a_bucket_selects_a_private_bucket_with_signed_short_lived_urls_only():
    storage = default_storage_from_env(env_of(**BUCKET))
    options = storage["OPTIONS"]
    assert storage["BACKEND"] == S3
    assert options["bucket_name"] == "resilience-media"
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["addressing_style"] == "path"  # MinIO: one host name, bucket in the path
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True and options["querystring_expire"] <= 300
    assert options["custom_domain"] is None
    assert options["file_overwrite"] is False
    assert options["object_parameters"]["CacheControl"] == "private, no-store"
    assert "ServerSideEncryption" not in options["object_parameters"]


def test_an_explicit_local_backend_wins_over_a_named_bucket():
    env = env_of(STORAGE_BACKEND="local", **BUCKET)
    assert default_storage_from_env(env) == {"BACKEND": FILESYSTEM}


def test_server_side_encryption_and_a_key_prefix_are_passed_to_the_bucket():
    env = env_of(
        STORAGE_BACKEND="S3",
        AWS_S3_SERVER_SIDE_ENCRYPTION="AES256",
        AWS_LOCATION="/media/",
        **BUCKET,
    )
    options = default_storage_from_env(env)["OPTIONS"]
    assert options["object_parameters"]["ServerSideEncryption"] == "AES256"
    assert options["location"] == "media"


@pytest.mark.parametrize(
    "values,message",
    [
        ({"STORAGE_BACKEND": "s3"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND"),
    ],
)
def test_an_incomplete_or_unknown_storage_refuses_to_start(values, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        default_storage_from_env(env_of(**values))


def test_the_bucket_storage_only_ever_makes_signed_urls_that_expire():
    from storages.backends.s3 import S3Storage

    storage = S3Storage(**default_storage_from_env(env_of(**BUCKET))["OPTIONS"])
    url = storage.url("plans/2026/01/0123abcd.pdf")  # signed locally: no request is made
    assert url.startswith("http://minio:9000/resilience-media/plans/2026/01/0123abcd.pdf?")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url


@pytest.mark.parametrize(
    "values,backend,engine",
    [
        ({}, "locmem.LocMemCache", "backends.db"),
        ({"REDIS_URL": "redis://redis:6379/0"}, "redis.RedisCache", "backends.cached_db"),
        ({"CACHE_URL": "rediscache://redis:6379/2"}, "redis.RedisCache", "backends.cached_db"),
        ({"REDIS_URL": "redis://redis:6379/0", "CACHE_URL": "locmemcache://"}, "locmem", "db"),
    ],
)
def test_sessions_use_the_cache_only_when_it_is_shared_by_every_process(values, backend, engine):
    env = env_of(**values)
    caches = caches_from_env(env, redis_url=values.get("REDIS_URL", ""))
    assert backend in caches["default"]["BACKEND"]
    assert session_engine_for(caches).endswith(engine)


def test_the_settings_module_reads_the_storage_and_session_choice_from_the_environment():
    environment = {
        **os.environ,
        **BUCKET,
        "STORAGE_BACKEND": "s3",
        "REDIS_URL": "redis://redis:6379/0",
        "DJANGO_SETTINGS_MODULE": "resilience.settings",
    }
    environment.pop("CACHE_URL", None)
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.STORAGES['default'], s.CACHES['default'], s.SESSION_ENGINE]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    storage, cache, engine = json.loads(result.stdout)
    assert storage["BACKEND"] == S3 and storage["OPTIONS"]["default_acl"] == "private"
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert engine == "django.contrib.sessions.backends.cached_db"


# --- downloads work on a storage without filesystem paths -----------------------------------


@pytest.fixture
def pathless_storage(settings, tmp_path):
    """The default storage keeps files in memory and has no ``path()``, like S3; MEDIA_ROOT
    points at a folder that must never be created."""
    backend = f"{PathlessStorage.__module__}.{PathlessStorage.__qualname__}"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": backend}}
    settings.MEDIA_ROOT = tmp_path / "must-stay-empty"
    return settings.MEDIA_ROOT


def downloaded(response):
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    return b"".join(response.streaming_content)


def test_a_plan_attachment_uploads_and_downloads_through_a_storage_without_paths(
    client, tree, pathless_storage
):
    client.force_login(make_user(tree["s1"]))
    plan = PlanFactory(org_unit=tree["s1"])
    response = client.post(
        reverse("plans:add_version", args=[plan.pk]),
        {"version_date": "2026-03-01", "change_summary": "按新规修订", "files": pdf_upload()},
    )
    assert response.status_code == 302
    attachment = PlanAttachment.objects.get(version__plan=plan)
    with pytest.raises(NotImplementedError):
        attachment.file.path  # noqa: B018 - the storage really has no paths

    download = client.get(reverse("plans:attachment", args=[attachment.pk]))
    assert downloaded(download) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert not pathless_storage.exists()


def test_a_generated_report_is_stored_and_downloaded_through_a_storage_without_paths(
    client, tree, pathless_storage, run_tasks_on_commit
):
    client.force_login(make_user(tree["s1"]))
    today = datetime.date.today()
    client.post(
        reverse("reports:street"),
        {"street": "S1", "start": f"{today.year}-01-01", "end": f"{today.year}-12-31"},
    )
    report = ReportRequest.objects.get()
    assert report.state == ReportRequest.State.DONE, report.error

    download = client.get(reverse("reports:download", args=[report.pk]))
    assert downloaded(download).startswith(b"%PDF")
    assert download["Content-Type"] == "application/pdf"
    assert not pathless_storage.exists()


def test_another_street_still_gets_404_for_a_file_on_a_storage_without_paths(
    client, tree, pathless_storage
):
    plan = PlanFactory(org_unit=tree["s1"])
    client.force_login(make_user(tree["s1"]))
    client.post(
        reverse("plans:add_version", args=[plan.pk]),
        {"version_date": "2026-03-01", "change_summary": "首次编制", "files": pdf_upload()},
    )
    attachment = PlanAttachment.objects.get(version__plan=plan)
    client.force_login(make_user(tree["s2"]))
    assert client.get(reverse("plans:attachment", args=[attachment.pk])).status_code == 404


# Reading a stored file by its path (``.path``, ``storage.path()``, ``open(x.path)``) works on
# local disk only; the views, tasks and reports must use the storage API instead.
PATH_USE = re.compile(r"\.(file|image|photo|attachment)\.path\b|storage\.path\(")


def test_no_application_code_reads_a_stored_file_by_its_filesystem_path():
    apps_dir = Path(settings.BASE_DIR, "apps")
    offenders = [
        f"{source.relative_to(settings.BASE_DIR)}:{number}"
        for source in sorted(apps_dir.rglob("*.py"))
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1)
        if PATH_USE.search(line)
    ]
    assert offenders == []
