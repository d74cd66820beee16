"""Cursor pagination of every list (a module of its own: DRF reads it from the settings while
``generics`` is imported)."""

from django.utils.translation import gettext_lazy
from rest_framework.pagination import CursorPagination


class SyncCursorPagination(CursorPagination):
    """Cursor pagination, newest record first (by id: stable while records change)."""

    ordering = "-pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_description = gettext_lazy("游标：取上一页响应中的 next 或 previous 链接。")
    page_size_query_description = gettext_lazy("每页条数，默认 100，最多 500。")
