import datetime

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.plans.models import Plan, PlanAttachment, PlanVersion

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf_upload(name="预案.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    kind = Plan.Kind.SPECIAL
    title = factory.Sequence(lambda n: f"专项应急预案{n}")
    department = "街道应急办"
    status = Plan.Status.IN_FORCE
    effective_date = datetime.date(2025, 1, 15)


class PlanVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(PlanFactory)
    number = 1
    version_date = datetime.date(2025, 1, 15)
    change_summary = "首次编制"


class PlanAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanAttachment

    version = factory.SubFactory(PlanVersionFactory)
    file = factory.LazyFunction(pdf_upload)
    original_name = "预案.pdf"
