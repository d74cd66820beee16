"""Demo shelters for 华阳路街道 (below the 1.2 m² per resident target), 新华路街道 and 陆家嘴街道
(above it), with facilities, inspections (one overdue) and a past opening. Names and figures
are illustrative; coordinates are approximate WGS-84. Idempotent: shelters by unit and name,
inspections by shelter and date, openings by shelter and opening time."""

import datetime
from decimal import Decimal

from django.utils import timezone

from apps.orgs.models import OrgUnit, User

from .models import (
    Facility,
    Setting,
    Shelter,
    ShelterClass,
    ShelterInspection,
    ShelterOpening,
    ShelterStatus,
    ShelterType,
)
from .reference import ensure_reference_data

ALL = ["供水", "供电", "厕所", "医疗点", "物资储备", "应急广播", "标识", "照明"]
BASIC = ["供水", "供电", "厕所", "标识", "照明"]

# unit code, name, setting, type, class, address, lat, lng, total, effective, capacity,
# facilities, managing unit, contact, status, inspection (days ago, next in days) or None
SHELTERS = [
    (
        "310105001",
        "中山公园应急避难场所",
        Setting.OUTDOOR,
        "公园绿地",
        "Ⅱ类",
        "长宁路780号",
        31.22170,
        121.41700,
        214000,
        36000,
        18000,
        ALL,
        "长宁区绿化和市容管理局 中山公园管理处",
        ("王建国", "021-62105811"),
        ShelterStatus.AVAILABLE,
        (100, 80),
    ),
    (
        "310105001001",
        "华一社区学校操场避难点",
        Setting.OUTDOOR,
        "学校",
        "Ⅲ类",
        "华阳路112号",
        31.22030,
        121.42580,
        12000,
        8000,
        4000,
        BASIC + ["应急广播"],
        "华阳路第一小学",
        ("李慧", "021-62521234"),
        ShelterStatus.AVAILABLE,
        (200, -20),
    ),
    (
        "310105001003",
        "飞乐社区体育馆",
        Setting.INDOOR,
        "体育场馆",
        "Ⅲ类",
        "定西路1100号",
        31.21620,
        121.42160,
        20000,
        15000,
        6000,
        ALL,
        "华阳路街道社区体育中心",
        ("陈刚", "021-62401188"),
        ShelterStatus.AVAILABLE,
        (60, 120),
    ),
    (
        "310105001004",
        "姚家角小区中心绿地避难点",
        Setting.OUTDOOR,
        "公园绿地",
        "紧急避难点",
        "姚家角路35弄",
        31.21910,
        121.43020,
        3000,
        2000,
        1000,
        BASIC,
        "姚家角居民区物业服务中心",
        ("赵敏", "13801234567"),
        ShelterStatus.MAINTENANCE,
        None,
    ),
    (
        "310105001",
        "华阳路街道社区文化活动中心",
        Setting.INDOOR,
        "社区服务设施",
        "紧急避难点",
        "长宁路1040号",
        31.22080,
        121.42400,
        1500,
        900,
        450,
        BASIC + ["物资储备", "应急广播"],
        "华阳路街道社区服务办",
        ("周晓燕", "021-62523300"),
        ShelterStatus.AVAILABLE,
        (30, 150),
    ),
    (
        "310105004",
        "新华路绿地应急避难场所",
        Setting.OUTDOOR,
        "公园绿地",
        "Ⅲ类",
        "新华路200号",
        31.20940,
        121.42930,
        30000,
        22000,
        11000,
        BASIC + ["应急广播"],
        "新华路街道社区管理办",
        ("孙立", "021-62801122"),
        ShelterStatus.AVAILABLE,
        (90, 90),
    ),
    (
        "310105004001",
        "新华社区学校避难点",
        Setting.OUTDOOR,
        "学校",
        "紧急避难点",
        "法华镇路525号",
        31.20780,
        121.42610,
        6000,
        4000,
        2000,
        BASIC,
        "新华路小学",
        ("吴芳", "021-62805566"),
        ShelterStatus.AVAILABLE,
        None,
    ),
    (
        "310115005",
        "陆家嘴中心绿地应急避难场所",
        Setting.OUTDOOR,
        "公园绿地",
        "Ⅱ类",
        "陆家嘴环路",
        31.23710,
        121.50210,
        100000,
        65000,
        32000,
        ALL,
        "浦东新区生态环境局 陆家嘴中心绿地管理所",
        ("钱伟", "021-58880011"),
        ShelterStatus.AVAILABLE,
        (45, 135),
    ),
    (
        "310115005",
        "东昌滨江绿地应急避难场所",
        Setting.OUTDOOR,
        "公园绿地",
        "Ⅲ类",
        "滨江大道",
        31.23200,
        121.49950,
        60000,
        45000,
        22000,
        ALL,
        "陆家嘴街道城运中心",
        ("郑浩", "021-58881234"),
        ShelterStatus.AVAILABLE,
        (120, 60),
    ),
    (
        "310115005",
        "滨江大道绿地避难场所",
        Setting.OUTDOOR,
        "公园绿地",
        "Ⅲ类",
        "滨江大道2967号",
        31.24050,
        121.49620,
        36000,
        25000,
        12000,
        BASIC + ["应急广播"],
        "陆家嘴街道城运中心",
        ("郑浩", "021-58881234"),
        ShelterStatus.AVAILABLE,
        (210, -35),
    ),
    (
        "310115005001",
        "梅园社区学校操场避难点",
        Setting.OUTDOOR,
        "学校",
        "紧急避难点",
        "浦电路88号",
        31.22680,
        121.51640,
        9000,
        6000,
        3000,
        BASIC,
        "梅园社区学校",
        ("冯丽", "021-58309900"),
        ShelterStatus.AVAILABLE,
        None,
    ),
    (
        "310115005003",
        "东园一村小区广场避难点",
        Setting.OUTDOOR,
        "广场",
        "紧急避难点",
        "东园路18弄",
        31.23260,
        121.51120,
        2200,
        1500,
        750,
        BASIC,
        "东园一村物业服务中心",
        ("何军", "13912345678"),
        ShelterStatus.AVAILABLE,
        None,
    ),
]


def seed_demo(stdout):
    ensure_reference_data(
        lambda name: {"sheltertype": ShelterType, "shelterclass": ShelterClass}.get(name, Facility)
    )
    today = timezone.localdate()
    types = {t.name: t for t in ShelterType.objects.all()}
    classes = {c.name: c for c in ShelterClass.objects.all()}
    facilities = {f.name: f for f in Facility.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[row[0] for row in SHELTERS])}
    staff = {
        "310105": User.objects.get(username="huayang_staff"),
        "310115": User.objects.get(username="lujiazui_staff"),
    }
    xinhua = User.objects.get(username="xinhua_staff")
    for row in SHELTERS:
        code, name, setting, type_name, class_name, address, lat, lng = row[:8]
        total, effective, capacity, facility_names, managing = row[8:13]
        (contact, phone), status, inspection = row[13:]
        unit = units[code]
        user = xinhua if code.startswith("310105004") else staff[code[:6]]
        shelter, _ = Shelter.objects.update_or_create(
            org_unit=unit,
            name=name,
            defaults={
                "setting": setting,
                "shelter_type": types[type_name],
                "shelter_class": classes[class_name],
                "address": address,
                "latitude": Decimal(f"{lat:.6f}"),
                "longitude": Decimal(f"{lng:.6f}"),
                "total_area": Decimal(total),
                "effective_area": Decimal(effective),
                "capacity": capacity,
                "managing_unit": managing,
                "contact_name": contact,
                "contact_phone": phone,
                "status": status,
                "created_by": user,
                "updated_by": user,
            },
        )
        shelter.facilities.set([facilities[n] for n in facility_names])
        if inspection:
            ago, next_in = inspection
            inspected_on = today - datetime.timedelta(days=ago)
            ShelterInspection.objects.update_or_create(
                shelter=shelter,
                inspected_on=inspected_on,
                defaults={
                    "inspector": "街道应急办 " + contact,
                    "result": ShelterInspection.Result.PASSED
                    if next_in > 0
                    else ShelterInspection.Result.NEEDS_FIX,
                    "findings": ""
                    if next_in > 0
                    else "部分疏散指示标识褪色；应急照明灯 2 盏不亮，已通知管理单位更换。",
                    "next_inspection_date": today + datetime.timedelta(days=next_in),
                    "created_by": user,
                },
            )
            latest = shelter.inspections.order_by("-inspected_on", "-pk").first()
            Shelter.objects.filter(pk=shelter.pk).update(
                next_inspection_date=latest.next_inspection_date
            )
    # A past opening: the 中山公园 shelter took in residents during a typhoon last year.
    park = Shelter.objects.get(org_unit__code="310105001", name="中山公园应急避难场所")
    opened = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=420), datetime.time(18, 0))
    )
    ShelterOpening.objects.update_or_create(
        shelter=park,
        opened_at=opened,
        defaults={
            "reason": "台风“贝碧嘉”过境，转移安置临时简易房屋居民",
            "closed_at": opened + datetime.timedelta(hours=40),
            "people_sheltered": 326,
            "opened_by": staff["310105"],
            "closed_by": staff["310105"],
        },
    )
    stdout.write(f"Shelters: {len(SHELTERS)} demo shelters for three streets.")
