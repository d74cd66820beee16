"""Searching Chinese text in the lists: ``icontains`` over a list's columns, served on
PostgreSQL by an index of the text's characters and character pairs.

A Chinese search term is usually two characters (充电, 锈蚀, 地震). Trigram indexes (pg_trgm)
cannot serve a pattern shorter than three characters, so such a search read every row of the
table. Here each searched row is indexed by the set of its characters and of its pairs of
adjacent characters (``portal_grams``, a GIN index over an expression): a term of one character
must be among the characters, a longer term's pairs must all be among the row's pairs. That
narrows the rows to the few that may match; ``icontains`` then keeps those that really do
(``a``+``b`` and ``b``+``c`` apart do not make ``abc``); a term of one or two characters
needs no such check. Letters are compared in lower case, as ``icontains`` does.

The functions and indexes are created by migrations on PostgreSQL only (``SEARCH_SQL``,
``GramIndex``); SQLite, the embedded default, searches with ``icontains`` alone.
"""

from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import BooleanField, Func, Q, TextField, Value

SEARCH_SQL = (
    # its characters and pairs of characters (GIN removes repeated keys); a loop in PL/pgSQL
    # is five times faster than the same in SQL with an aggregate
    """
CREATE OR REPLACE FUNCTION portal_grams(body text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    t text := lower(body);
    grams text[] := regexp_split_to_array(t, '');
BEGIN
    IF t = '' THEN
        RETURN '{}';
    END IF;
    FOR i IN 1 .. char_length(t) - 1 LOOP
        grams := grams || substr(t, i, 2);
    END LOOP;
    RETURN grams;
END
$$
""",
    # what a row must hold to contain the term: its one character, or all of its pairs
    """
CREATE OR REPLACE FUNCTION portal_term_grams(term text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    t text := lower(term);
    grams text[] := '{}';
BEGIN
    IF char_length(t) < 2 THEN
        RETURN ARRAY[t];
    END IF;
    FOR i IN 1 .. char_length(t) - 1 LOOP
        grams := grams || substr(t, i, 2);
    END LOOP;
    RETURN grams;
END
$$
""",
)


class Grams(Func):
    """``portal_grams`` of the columns joined by spaces: the indexed expression."""

    function = "portal_grams"
    arg_joiner = " || ' ' || "
    output_field = TextField()  # a text[]; only ever compared in SQL


class Contains(Func):
    """The row's grams hold all of the term's (GIN's ``@>`` on arrays)."""

    template = "%(expressions)s"
    arg_joiner = " @> "
    output_field = BooleanField()


class GramIndex:
    """The character index of ``columns`` of ``table``, named ``name``: the SQL that makes it
    (for a migration) and the condition that lets a query use it."""

    def __init__(self, name, table, columns):
        self.name, self.table, self.columns = name, table, columns

    def create(self, apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in SEARCH_SQL:
            schema_editor.execute(statement)
        # the same text as ``Grams`` (never NULL: the columns are NOT NULL text; a pair across
        # two columns only widens what icontains rechecks)
        joined = " || ' ' || ".join(schema_editor.quote_name(c) for c in self.columns)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {self.name} ON {self.table} "
            f"USING gin (portal_grams({joined}))"
        )

    def drop(self, apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {self.name}")

    def condition(self, term):
        """Rows whose characters may contain ``term`` (PostgreSQL)."""
        return Contains(Grams(*self.columns), Func(Value(term), function="portal_term_grams"))


def search(queryset, term, fields, index=None):
    """``queryset`` narrowed to the rows where one of ``fields`` contains ``term`` (any case).
    With ``index`` (a ``GramIndex`` over the same columns) PostgreSQL finds them by it."""
    term = (term or "").strip()
    if not term:
        return queryset
    matches = reduce(or_, (Q(**{f"{field}__icontains": term}) for field in fields))
    if index is None or connection.vendor != "postgresql":
        return queryset.filter(matches)
    queryset = queryset.filter(index.condition(term))
    # A term of one or two characters is in a row exactly when its character or pair is (the
    # term is stripped, so its pair cannot be the space joining two columns): nothing to
    # recheck, and a count of the matches reads the index alone.
    return queryset if len(term) <= 2 else queryset.filter(matches)
