"""``manage.py backup``: the database (pg_dump, custom format) and the uploaded files (a tar of
MEDIA_ROOT) into one new folder, with a manifest of checksums. ``make backup`` runs it."""

import hashlib
import json
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from resilience.storage import FILESYSTEM

from ._backup import DATABASE_FILE, MANIFEST_FILE, MEDIA_FILE, pg_args, postgres_settings


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Back up the PostgreSQL database and the media files into a new folder."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(Path(settings.BASE_DIR) / "var" / "backups"),
            help="Folder that receives a new <timestamp> folder (default: var/backups).",
        )

    def handle(self, *args, output_dir, **options):
        database = postgres_settings()
        target = Path(output_dir) / timezone.localtime().strftime("%Y%m%d-%H%M%S")
        target.mkdir(parents=True, exist_ok=False)
        target.chmod(0o700)  # residents' personal data: readable by the service account only

        dump = target / DATABASE_FILE
        args, env = pg_args(database)
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump)]
            + args,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")

        media_root = Path(settings.MEDIA_ROOT)
        if settings.STORAGES["default"]["BACKEND"] != FILESYSTEM:
            # The files are in a bucket, not in MEDIA_ROOT; the tar stays (empty) for restore.
            self.stderr.write(
                "Uploaded files and reports are on object storage (STORAGE_BACKEND=s3), not in "
                "MEDIA_ROOT: this backup holds the database only. Back the bucket up with its "
                "versioning and replication or `mc mirror` (see README)."
            )
        archive = target / MEDIA_FILE
        with tarfile.open(archive, "w:gz") as tar:
            if media_root.exists():
                tar.add(media_root, arcname="media")

        manifest = {
            "created_at": timezone.now().isoformat(),
            "database": database["NAME"],
            "files": {name: sha256(target / name) for name in (DATABASE_FILE, MEDIA_FILE)},
        }
        (target / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target}"))
        return str(target)
