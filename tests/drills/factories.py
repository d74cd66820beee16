import datetime

import factory

from apps.drills.models import (
    Drill,
    DrillForm,
    DrillPlan,
    DrillStatus,
    DrillTheme,
    FollowUpAction,
)


class DrillPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrillPlan

    year = 2026
    title = factory.Sequence(lambda n: f"年度应急演练计划{n}")


class DrillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drill

    title = factory.Sequence(lambda n: f"消防疏散演练{n}")
    form = DrillForm.LIVE
    theme = DrillTheme.FIRE
    date = datetime.date(2026, 5, 12)
    place = "社区活动室"
    organiser = "街道应急办"
    status = DrillStatus.PLANNED


class HeldDrillFactory(DrillFactory):
    status = DrillStatus.COMPLETED
    summary = "演练按方案完成。"
    participants = 50


class FollowUpActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpAction

    drill = factory.SubFactory(HeldDrillFactory)
    problem = factory.Sequence(lambda n: f"楼道堆物{n}")
    owner = "物业服务中心"
    due_date = datetime.date(2026, 6, 30)
