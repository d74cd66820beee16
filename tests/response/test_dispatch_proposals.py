"""Where an approved supply request is served from: the street's own sites with stock, its
agreement reserves whose terms cover the item (with the promised delivery time; a reserve
without stock in the ledger is called off against its agreed quantity), and, when the street
has not enough, a site of another street of the district, asked for by the street, approved by
the district's staff (not its reviewer, not the streets), then dispatched by the site's street
through the never-negative movement service. Every refusal changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.orgs.models import Role
from apps.response import services
from apps.response.models import EventLog, RequestStatus, SupplyRequest
from apps.supplies import services as supply_services
from apps.supplies.models import Lot, Movement, StorageMode
from tests.conftest import make_user
from tests.supplies.factories import SiteFactory, days, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def cross(world):
    """甲街道's event; its agreement reserve (a supermarket: 100 sandbags within 4 hours, no
    stock in the ledger); 乙街道 (same district) with 200 sandbags; 丙街道 (another district)
    with 500; the district's staff and an admin."""
    w = world
    reserve = SiteFactory(
        org_unit=w["s1"],
        name="甲街道协议储备（联华超市）",
        mode=StorageMode.AGREEMENT,
        partner="联华超市",
        partner_contact="王经理",
        partner_phone="021-55550000",
        contract_end=days(365),
    )
    supply_services.set_agreement_term(
        w["staff"], reserve, w["sandbags"], quantity=100, promised_hours=4
    )
    foreign = SiteFactory(org_unit=w["s2"], name="乙街道储备库")
    stock(w["other_staff"], foreign, w["sandbags"], 200, lot_no="B")
    far_staff = make_user(w["s3"], username="far_staff")
    far = SiteFactory(org_unit=w["s3"], name="丙街道储备库")
    stock(far_staff, far, w["sandbags"], 500, lot_no="C")
    event = services.open_event(w["staff"], w["plan"], level=2, title="台风“测试”防御响应")
    return {
        **w,
        "reserve": reserve,
        "foreign": foreign,
        "far": far,
        "event": event,
        "district_staff": make_user(w["d1"], username="district_staff"),
        "admin": make_user(w["sh"], Role.ADMIN, username="root", is_superuser=True),
    }


def approved(x, quantity):
    request = services.request_supplies(
        x["community"],
        x["event"],
        unit=x["c1"],
        item=x["sandbags"],
        quantity=quantity,
        reason="封堵",
    )
    return services.decide_request(x["staff"], request, approve=True)


def stock_of(site):
    return sum(Lot.objects.filter(site=site).values_list("quantity", flat=True))


def test_proposals_list_own_stock_the_agreement_reserve_with_its_hours_and_the_district(cross):
    x = cross
    request = approved(x, 20)
    proposals = services.dispatch_proposals(x["staff"], request)
    assert [(p.site, p.across) for p in proposals] == [
        (x["reserve"], False),  # agreed 100 > own stock 50
        (x["site"], False),
        (x["foreign"], True),
    ]
    reserve = proposals[0]
    assert reserve.is_call_off and (reserve.agreed, reserve.promised_hours) == (100, 4)
    assert "协议储备·承诺4小时内送达" in reserve.label and "100" in reserve.label
    assert "跨街道调拨须经区级审批" in proposals[2].label
    assert x["far"] not in [p.site for p in proposals]  # another district


def test_a_call_off_records_the_promised_arrival_and_never_exceeds_the_agreed_quantity(cross):
    x = cross
    request = approved(x, 60)
    before = timezone.now()
    services.dispatch_request(x["staff"], request, site=x["reserve"])
    request.refresh_from_db()
    assert request.status == RequestStatus.DISPATCHED and request.voucher.startswith("XY")
    assert request.promised_at >= before + datetime.timedelta(hours=4)
    assert not Movement.objects.filter(site=x["reserve"]).exists()
    line = x["event"].log.filter(kind=EventLog.Kind.DISPATCH).get()
    assert "调用协议储备" in line.text and "承诺4小时内送达" in line.text
    second = approved(x, 50)
    assert [p.agreed for p in services.dispatch_proposals(x["staff"], second) if p.agreed] == [40]
    with pytest.raises(ValidationError, match="超出协议数量"):
        services.dispatch_request(x["staff"], second, site=x["reserve"])
    second.refresh_from_db()
    assert second.status == RequestStatus.APPROVED and second.promised_at is None
    services.receive_request(x["community"], request, quantity=60)


def test_an_agreement_reserve_holding_lots_is_drawn_down_like_any_site(cross):
    x = cross
    stock(x["staff"], x["reserve"], x["sandbags"], 30, lot_no="R")
    request = approved(x, 40)
    with pytest.raises(ValidationError, match="库存不足"):
        services.dispatch_request(x["staff"], request, site=x["reserve"])
    assert stock_of(x["reserve"]) == 30
    request = approved(x, 25)
    services.dispatch_request(x["staff"], request, site=x["reserve"])
    request.refresh_from_db()
    assert request.voucher.startswith("CK") and request.promised_at is None
    assert stock_of(x["reserve"]) == 5


def test_a_cross_street_dispatch_needs_the_districts_approval(cross):
    x = cross
    request = approved(x, 120)  # own 50, agreed 100: neither serves 120
    with pytest.raises(ValidationError, match="区级审批"):
        services.dispatch_request(x["other_staff"], request, site=x["foreign"])
    with pytest.raises(PermissionDenied):  # not the site's street
        services.dispatch_request(x["staff"], request, site=x["foreign"])
    for who in ("other_staff", "reviewer", "community"):
        with pytest.raises(PermissionDenied):
            services.request_cross_street(x[who], request, site=x["foreign"])
    services.request_cross_street(x["staff"], request, site=x["foreign"])
    for who in ("staff", "other_staff", "reviewer", "community"):
        with pytest.raises(PermissionDenied, match="区级"):
            services.approve_cross_street(x[who], request)
    with pytest.raises(ValidationError, match="区级审批"):
        services.dispatch_request(x["other_staff"], request, site=x["foreign"])
    request.refresh_from_db()
    assert request.district_approved_at is None and request.status == RequestStatus.APPROVED
    assert stock_of(x["foreign"]) == 200
    services.approve_cross_street(x["district_staff"], request)
    with pytest.raises(ValidationError, match="已审批"):
        services.approve_cross_street(x["admin"], request)
    with pytest.raises(ValidationError, match="不能再更换"):
        services.request_cross_street(x["staff"], request, site=x["foreign"])
    services.dispatch_request(x["other_staff"], request, site=x["foreign"])
    request.refresh_from_db()
    assert request.status == RequestStatus.DISPATCHED and request.site == x["foreign"]
    assert request.district_approved_by == x["district_staff"]
    assert stock_of(x["foreign"]) == 80
    texts = list(x["event"].log.values_list("text", flat=True))
    assert any("跨街道调拨，待区级审批" in t for t in texts)
    assert any(t.startswith("区级同意从乙街道储备库") for t in texts)
    assert any(t.startswith("乙街道储备库向甲一居委出库") for t in texts)


def test_a_cross_street_dispatch_never_takes_stock_below_zero(cross):
    x = cross
    request = approved(x, 150)
    services.request_cross_street(x["staff"], request, site=x["foreign"])
    services.approve_cross_street(x["admin"], request)
    supply_services.dispatch(
        x["other_staff"], x["foreign"], x["sandbags"], 190, recipient="乙一居委", purpose="自用"
    )
    with pytest.raises(ValidationError, match="库存不足"):
        services.dispatch_request(x["district_staff"], request, site=x["foreign"])
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and not request.voucher
    assert stock_of(x["foreign"]) == 10
    assert not x["event"].log.filter(kind=EventLog.Kind.DISPATCH).exists()


@pytest.mark.parametrize(
    "site, quantity, message",
    [
        ("foreign", 20, "直接出库"),  # the street has enough of its own
        ("site", 120, "其他街道"),  # the street's own site is no cross-street site
        ("far", 120, "其他街道"),  # another district
        ("foreign", 300, "少于批准数量"),
    ],
)
def test_bad_cross_street_requests_are_refused_and_change_nothing(cross, site, quantity, message):
    x = cross
    request = approved(x, quantity)
    with pytest.raises(ValidationError, match=message):
        services.request_cross_street(x["staff"], request, site=x[site])
    request.refresh_from_db()
    assert request.source_site is None
    assert x["event"].log.filter(text__contains="跨街道").count() == 0


# --- pages ----------------------------------------------------------------------------------


def test_the_request_page_proposes_the_reserve_and_the_cross_street_route(client, cross):
    x = cross
    request = approved(x, 120)
    client.force_login(x["staff"])
    page = client.get(request.get_absolute_url()).text
    assert "协议储备·承诺4小时内送达" in page and "申请跨街道调拨" in page
    assert reverse("response:cross_street", args=[request.pk]) in page
    client.post(reverse("response:cross_street", args=[request.pk]), {"site": x["foreign"].pk})
    request.refresh_from_db()
    assert request.source_site == x["foreign"]
    client.force_login(x["district_staff"])
    page = client.get(request.get_absolute_url()).text
    assert "区级同意跨街道调拨" in page
    client.post(reverse("response:approve_cross_street", args=[request.pk]))
    client.force_login(x["other_staff"])
    page = client.get(request.get_absolute_url()).text
    assert "区级已审批" in page
    client.post(reverse("response:dispatch", args=[request.pk]), {"site": x["foreign"].pk})
    request.refresh_from_db()
    assert request.status == RequestStatus.DISPATCHED and stock_of(x["foreign"]) == 80


def test_other_streets_and_reviewers_are_refused_on_the_pages(client, cross):
    x = cross
    request = approved(x, 120)
    steps = [
        (reverse("response:cross_street", args=[request.pk]), {"site": x["foreign"].pk}),
        (reverse("response:approve_cross_street", args=[request.pk]), {}),
        (reverse("response:dispatch", args=[request.pk]), {"site": x["foreign"].pk}),
    ]
    client.force_login(x["other_staff"])  # not yet approved: the request is not theirs
    assert client.get(request.get_absolute_url()).status_code == 404
    for url, data in steps:
        assert client.post(url, data).status_code == 404, url
    client.force_login(x["reviewer"])
    assert client.get(request.get_absolute_url()).status_code == 200
    for url, data in steps:
        assert client.post(url, data).status_code == 403, url
    client.force_login(x["staff"])
    response = client.post(steps[1][0], {})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.source_site is None and request.status == RequestStatus.APPROVED
    assert stock_of(x["foreign"]) == 200
    assert SupplyRequest.objects.filter(district_approved_at__isnull=False).count() == 0
