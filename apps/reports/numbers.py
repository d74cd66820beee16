"""Document numbers as government documents write them: the street's abbreviation, the kind's
word, the year in 〔〕 and a per-street yearly sequence — 华街隐整〔2026〕17号. A record keeps
the number of its first document; a new one takes the street's next number for the year under
a row lock on the sequence (``DocumentSequence``), backed by unique constraints."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.orgs.models import OrgUnit

from .models import DocumentNumber, DocumentSequence


def street_abbreviation(street: OrgUnit) -> str:
    """华阳路街道 → 华街, 川沙新镇 → 川镇, 某某乡 → 某乡: the first character and the kind."""
    name = street.name
    for suffix, short in (("街道", "街"), ("镇", "镇"), ("乡", "乡")):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[0] + short
    return name[:2]


def format_number(street: OrgUnit, word: str, year: int, sequence: int) -> str:
    return _("%(abbr)s%(word)s〔%(year)s〕%(n)s号") % {
        "abbr": street_abbreviation(street),
        "word": word,
        "year": year,
        "n": sequence,
    }


def issue_number(kind: str, street: OrgUnit, object_id: int, *, word: str, year: int) -> str:
    """The number of the ``kind`` document about record ``object_id``: its existing one, or the
    street's next for ``year``."""
    existing = DocumentNumber.objects.filter(kind=kind, object_id=object_id).first()
    if existing is not None:
        return existing.text
    try:
        with transaction.atomic():
            DocumentSequence.objects.get_or_create(kind=kind, street=street, year=year)
    except IntegrityError:
        pass  # created by a concurrent request a moment ago
    with transaction.atomic():
        sequence = DocumentSequence.objects.select_for_update().get(
            kind=kind, street=street, year=year
        )
        # re-read under the lock: a concurrent request may have numbered this record
        existing = DocumentNumber.objects.filter(kind=kind, object_id=object_id).first()
        if existing is not None:
            return existing.text
        sequence.last += 1
        sequence.save(update_fields=["last"])
        text = format_number(street, word, year, sequence.last)
        DocumentNumber.objects.create(
            kind=kind,
            object_id=object_id,
            street=street,
            year=year,
            sequence=sequence.last,
            text=text,
        )
    return text
