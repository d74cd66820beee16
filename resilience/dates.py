"""Calendar arithmetic the apps share: months and years that clamp to a month's last day, and
the first moment of a local day (to compare timestamps with an index, not ``__date``)."""

import calendar
import datetime

from django.utils import timezone


def add_months(day, months):
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day, years):
    """``day`` plus ``years`` years; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def day_start(day):
    """Midnight at the start of ``day`` in the portal's time zone (aware)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
