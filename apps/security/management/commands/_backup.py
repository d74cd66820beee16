"""Shared pieces of the ``backup`` and ``restore`` commands."""

import os

from django.core.management.base import CommandError
from django.db import connections

DATABASE_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
MANIFEST_FILE = "manifest.json"


def postgres_settings(alias="default"):
    """The connection settings of ``alias``, which must be PostgreSQL (pg_dump/pg_restore)."""
    settings_dict = connections[alias].settings_dict
    if settings_dict["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError(
            "backup/restore use pg_dump/pg_restore and need PostgreSQL (DATABASE_URL="
            "postgres://...). With the embedded SQLite default, stop the portal and copy "
            "db.sqlite3 and the media folder instead."
        )
    return settings_dict


def pg_args(settings_dict):
    """Command-line connection options and the environment (password) for pg_* tools."""
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env
