"""Notices of the reports app (see apps.notifications.events): a report generated in the
background tells the person who asked for it, once it is ready or has failed."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.notifications.events import Notice, event

FINISHED = "reports.finished"


@event(FINISHED, gettext_lazy("报表生成完成"))
def finished(report):
    if report.state == report.State.DONE:
        title = _("报表“%(title)s”已生成，可以下载") % {"title": report.title}
    else:
        title = _("报表“%(title)s”生成失败：%(error)s") % {
            "title": report.title,
            "error": report.error,
        }
    yield Notice(
        key=f"{report.pk}:{report.state}:{report.finished_at:%Y%m%d%H%M%S%f}",
        title=title,
        url=report.get_absolute_url(),
        unit_path=report.org_unit.path,
        recipients=(report.requested_by_id,),
    )
