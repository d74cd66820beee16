"""Writing a city-scale data set (``manage.py seed_city``): ``Writer`` hands out one ``Table``
per model, and each table writes its rows in large batches with explicit primary keys, so
children can point at their parents without reading ids back (PostgreSQL ``COPY`` on
PostgreSQL, ``bulk_create`` elsewhere). ``share`` and ``split`` cut a total into parts.

Each app's ``apps/<app>/city.py`` writes its rows through these; the command keeps the random
generator and the units, and calls the apps in a fixed order so a seed always gives the same
data."""

from django.core.management.color import no_style
from django.db import connection, models


class Table:
    """Rows of one model, written in batches with explicit primary keys."""

    def __init__(self, writer, model, fields, batch=50_000):
        self.writer, self.model, self.fields = writer, model, list(fields)
        self.columns = ["id"] + [model._meta.get_field(f).column for f in self.fields]
        self.attnames = ["id"] + [model._meta.get_field(f).attname for f in self.fields]
        self.next_id = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        self.rows = []
        self.count = 0
        self.batch = batch
        writer.tables.append(self)

    def add_row(self, **values):
        """``add`` by field name; a field not given takes its default."""
        return self.add(
            *(
                values[name] if name in values else self.model._meta.get_field(name).get_default()
                for name in self.fields
            )
        )

    def add(self, *values):
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *values))
        if len(self.rows) >= self.batch:
            self.flush()
        return pk

    def flush(self):
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        self.count += len(rows)
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(self.model._meta.db_table)
            columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            sql = f"COPY {table} ({columns}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            objs = [self.model(**dict(zip(self.attnames, row, strict=True))) for row in rows]
            self.model.objects.bulk_create(objs, batch_size=500)


class Writer:
    def __init__(self):
        self.tables = []

    def table(self, model, fields=None, **kw):
        """Rows of ``model``: of ``fields``, or of every column but the primary key."""
        if fields is None:
            fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
        return Table(self, model, fields, **kw)

    def flush(self):
        for table in self.tables:
            table.flush()

    def finish(self):
        self.flush()
        touched = list(dict.fromkeys(t.model for t in self.tables))
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), touched):
                cursor.execute(sql)


def share(total, sizes):
    """``total`` shared out in proportion to ``sizes``: at least 1 and at most ``size`` each
    (largest remainders first); every size in full when ``total`` reaches their sum."""
    whole = sum(sizes)
    if total >= whole:
        return list(sizes)
    quotas = [total * size / whole for size in sizes]
    counts = [min(size, max(1, int(q))) for q, size in zip(quotas, sizes, strict=True)]
    order = sorted(range(len(sizes)), key=lambda i: counts[i] - quotas[i])
    while sum(counts) < total:
        i = next(i for i in order if counts[i] < sizes[i])
        counts[i] += 1
        order.sort(key=lambda i: counts[i] - quotas[i])
    while sum(counts) > total:
        i = next(i for i in reversed(order) if counts[i] > 1)
        counts[i] -= 1
        order.sort(key=lambda i: counts[i] - quotas[i])
    return counts


def split(total, parts, rng, spread=0.6):
    """``total`` split into ``parts`` positive integers of uneven size."""
    weights = [1 + spread * (rng.random() * 2 - 1) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    i = 0
    while sum(counts) < total:
        counts[i % parts] += 1
        i += 1
    while sum(counts) > total and max(counts) > 1:
        j = counts.index(max(counts))
        counts[j] -= 1
    return counts
