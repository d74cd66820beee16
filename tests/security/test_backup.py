"""`make backup` / `make restore` (manage.py backup / restore): a round trip on the real
PostgreSQL — back up, change and delete data and files, restore, and everything is back."""

import json
import subprocess

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from tests.plans.factories import PlanFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="backup/restore use pg_dump/pg_restore: PostgreSQL only (CI runs it)",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_data_and_files_back(tree, tmp_path):
    from apps.plans.models import Plan

    kept = PlanFactory(org_unit=tree["s1"], title="总体应急预案")
    doomed = PlanFactory(org_unit=tree["s1"], title="防汛防台专项应急预案")
    default_storage.save("plans/2026/01/original.pdf", ContentFile(b"%PDF-1.4 original"))

    folder = call_command("backup", output_dir=str(tmp_path / "backups"))
    manifest = json.loads((tmp_path / "backups").joinpath(folder, "manifest.json").read_text())
    assert set(manifest["files"]) == {"database.dump", "media.tar.gz"}

    # Damage: change, delete, add; lose a file, gain another.
    Plan.objects.filter(pk=kept.pk).update(title="被误改的标题")
    doomed_pk = doomed.pk
    doomed.delete()
    PlanFactory(org_unit=tree["s1"], title="备份之后新建的预案")
    default_storage.delete("plans/2026/01/original.pdf")
    default_storage.save("plans/2026/01/later.pdf", ContentFile(b"%PDF-1.4 later"))

    call_command("restore", folder, yes=True)

    assert Plan.objects.get(pk=kept.pk).title == "总体应急预案"
    assert Plan.objects.filter(pk=doomed_pk, title="防汛防台专项应急预案").exists()
    assert not Plan.objects.filter(title="备份之后新建的预案").exists()
    assert default_storage.exists("plans/2026/01/original.pdf")
    with default_storage.open("plans/2026/01/original.pdf") as fh:
        assert fh.read() == b"%PDF-1.4 original"
    assert not default_storage.exists("plans/2026/01/later.pdf")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_without_confirmation_or_with_a_damaged_backup(tree, tmp_path):
    from apps.plans.models import Plan

    PlanFactory(org_unit=tree["s1"], title="总体应急预案")
    folder = call_command("backup", output_dir=str(tmp_path))
    Plan.objects.update(title="改过")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", folder)
    dump = tmp_path / folder / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-10])
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", folder, yes=True)
    assert Plan.objects.get().title == "改过"  # nothing was touched


def test_make_targets_call_the_commands():
    out = subprocess.run(
        ["make", "-n", "backup", "restore", "BACKUP=var/backups/x"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "manage.py backup --output-dir var/backups" in out
    assert "manage.py restore var/backups/x --yes" in out
