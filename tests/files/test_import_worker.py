"""The import flow through the broker: the check and the import run in a real worker."""

import time

import pytest
from django.urls import reverse

from apps.files.models import ImportJob
from apps.plans.models import Plan
from tests.conftest import make_user
from tests.files.test_files import csv_bytes, post_file

pytestmark = pytest.mark.urls("tests.files.urls")


@pytest.mark.django_db(transaction=True)
def test_import_runs_on_a_real_worker(client, tree, worker):
    client.force_login(make_user(tree["s1"]))
    post_file(client, "台账.csv", csv_bytes([["S1", "special", "地震应急专项预案", "应急办"]]))
    job = ImportJob.objects.get()

    def wait_for(state):
        for _ in range(100):
            job.refresh_from_db()
            if job.state == state:
                return
            time.sleep(0.1)
        raise AssertionError(f"job stayed {job.state}")

    wait_for(ImportJob.State.READY)
    client.post(reverse("files:import_confirm", args=[job.pk]))
    wait_for(ImportJob.State.DONE)
    assert Plan.objects.filter(title="地震应急专项预案").exists()
