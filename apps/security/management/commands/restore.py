"""``manage.py restore <folder>``: put back a backup made by ``manage.py backup`` — the whole
database (pg_restore --clean, in one transaction) and MEDIA_ROOT (swapped in whole, so a
failed extraction leaves the current files in place). Destructive: asks for --yes.
``make restore BACKUP=<folder>`` runs it."""

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ._backup import DATABASE_FILE, MANIFEST_FILE, MEDIA_FILE, pg_args, postgres_settings
from .backup import sha256


class Command(BaseCommand):
    help = "Restore the database and media files from a backup folder (replaces both)."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="A folder written by `manage.py backup`.")
        parser.add_argument(
            "--yes", action="store_true", help="Confirm: the current data is replaced."
        )

    def handle(self, *args, backup, yes=False, **options):
        folder = Path(backup)
        manifest_path = folder / MANIFEST_FILE
        if not manifest_path.exists():
            raise CommandError(f"{folder} is not a backup folder (no {MANIFEST_FILE}).")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for name, digest in manifest["files"].items():
            if sha256(folder / name) != digest:
                raise CommandError(f"{folder / name} does not match its checksum: not restored.")
        database = postgres_settings()
        if not yes:
            raise CommandError(
                f"This replaces the database {database['NAME']} and {settings.MEDIA_ROOT} "
                "with the backup. Run again with --yes to confirm."
            )

        connections.close_all()  # our own connections must not hold locks on the tables
        args, env = pg_args(database)
        result = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
            ]
            + args
            + [str(folder / DATABASE_FILE)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed, database unchanged: {result.stderr.strip()}")

        self._restore_media(folder / MEDIA_FILE, Path(settings.MEDIA_ROOT))
        self.stdout.write(self.style.SUCCESS(f"Restored {folder}"))

    def _restore_media(self, archive, media_root):
        media_root.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as scratch:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(scratch, filter="data")  # refuses absolute paths and ../
            restored = Path(scratch) / "media"
            restored.mkdir(exist_ok=True)
            previous = Path(scratch) / "previous"
            if media_root.exists():
                media_root.rename(previous)
            restored.rename(media_root)
            shutil.rmtree(previous, ignore_errors=True)
