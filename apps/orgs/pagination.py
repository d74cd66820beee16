"""Paging the largest lists (a million hazards) fast for any scope and any page.

A list page shows 50 rows of a scope sorted newest first. Left alone, PostgreSQL walks the
whole city's date index newest-first and visits every row to test whether it belongs to the
user's scope, until it has skipped the earlier pages: for a street on page 50, some 170,000
rows for 2,500 kept (0.7 s). ``IdsFirstPaginator`` pages the ids instead, by the scope's own
rows: the owning unit's covering index holds the id, the date and the filtered columns, so the
ids of a page come from the index alone (a street in a few ms, the largest district's 240,000
hazards in about 80 ms), then the page's 50 rows are read by id.

The ordering of the ids query wraps its first field in ``Coalesce(field, field)`` — the same
values, but not the indexed column — so that the planner does not choose the date-index walk,
whose cost it cannot estimate for a scope of many units.
"""

from django.core.paginator import Paginator
from django.db.models import F
from django.db.models.functions import Coalesce


class IdsFirstPaginator(Paginator):
    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        queryset = self.object_list
        first, *rest = queryset.query.order_by or queryset.model._meta.ordering
        descending = first.startswith("-")
        name = first.lstrip("-")
        key = Coalesce(F(name), F(name))
        ids = list(
            queryset.order_by(key.desc() if descending else key.asc(), *rest).values_list(
                "pk", flat=True
            )[bottom:top]
        )
        rows = queryset.in_bulk(ids)
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
