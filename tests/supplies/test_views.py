"""Pages: scope (404 outside), read-only reviewers (403), anonymous users, bad input, and query
counts that do not grow with the rows."""

import io

import openpyxl
import pytest
from django.urls import reverse

from apps.supplies import services
from apps.supplies.models import Lot, Movement, Site, SiteCheck, Standard
from tests.supplies.factories import ItemFactory, SiteFactory, stock

pytestmark = pytest.mark.django_db

ACTIONS = ["receive", "dispatch", "transfer", "write_off", "adjust", "standards", "check_create"]


def url(name, *args):
    return reverse(f"supplies:{name}", args=args)


def site_urls(site):
    return [url("site_detail", site.pk), url("site_edit", site.pk)] + [
        url(a, site.pk) for a in ACTIONS
    ]


def sheet_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


def test_anonymous_users_are_sent_to_login(client, world):
    pages = [url("list"), url("overview"), url("movements"), url("items"), url("site_create")]
    pages += [url("stock_export"), url("movement_export"), url("import_stock")]
    for page in pages + site_urls(world["site"]):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url.startswith(reverse("login")), page


def test_another_streets_sites_are_absent_or_404(client, world):
    w = world
    stock(w["other_staff"], w["foreign"], w["bags"], 9, lot_no="FOREIGN-LOT")
    client.force_login(w["staff"])
    listing = client.get(url("list")).content.decode()
    assert "甲街道储备库" in listing and "甲一居委储备点" in listing
    assert "乙街道储备库" not in listing
    for page in site_urls(w["foreign"]):
        assert client.get(page).status_code == 404, page
    for page in site_urls(w["foreign"])[1:]:
        assert client.post(page, {"item": w["bags"].pk, "quantity": 1}).status_code == 404, page
    assert client.get(url("stock_export") + f"?site={w['foreign'].pk}").status_code == 404
    for page in (url("movements"), url("overview")):
        assert "FOREIGN-LOT" not in client.get(page).content.decode()
        assert "乙街道储备库" not in client.get(page).content.decode()
    assert Lot.objects.get(site=w["foreign"]).quantity == 9


def test_exports_hold_only_what_the_user_sees(client, world):
    w = world
    stock(w["staff"], w["site"], w["bags"], 10, lot_no="MINE")
    stock(w["other_staff"], w["foreign"], w["bags"], 9, lot_no="THEIRS")
    client.force_login(w["staff"])
    rows = sheet_rows(client.get(url("stock_export")))
    assert rows[0][:3] == ("所属单位编码", "储备点编码", "储备点名称")
    flat = [str(c) for r in rows for c in r]
    assert "MINE" in flat and "THEIRS" not in flat
    moves = sheet_rows(client.get(url("movement_export")))
    assert len(moves) == 2 and moves[1][2] == "入库" and moves[1][4] == "S1-01"
    # the reviewer of the district sees both streets
    client.force_login(w["reviewer"])
    flat = [str(c) for r in sheet_rows(client.get(url("stock_export"))) for c in r]
    assert "MINE" in flat and "THEIRS" in flat


def test_reviewer_reads_but_cannot_change(client, world):
    w = world
    stock(w["staff"], w["site"], w["bags"], 10)
    client.force_login(w["reviewer"])
    detail = client.get(url("site_detail", w["site"].pk))
    assert detail.status_code == 200 and "防汛沙袋" in detail.content.decode()
    assert url("dispatch", w["site"].pk) not in detail.content.decode()
    for page in site_urls(w["site"])[1:]:
        assert client.get(page).status_code == 403, page
    response = client.post(
        url("dispatch", w["site"].pk),
        {"item": w["bags"].pk, "quantity": 5, "recipient": "x", "purpose": "y"},
    )
    assert response.status_code == 403
    assert client.get(url("site_create")).status_code == 403
    assert client.post(url("site_create"), {"name": "x"}).status_code == 403
    for page in (url("import_sites"), url("import_stock"), url("import_items")):
        assert client.get(page).status_code == 403, page
    assert Lot.objects.get().quantity == 10 and Movement.objects.count() == 1
    assert Site.objects.count() == 3


def test_staff_dispatch_through_the_form(client, world):
    w = world
    stock(w["staff"], w["site"], w["bags"], 10)
    client.force_login(w["staff"])
    response = client.post(
        url("dispatch", w["site"].pk),
        {"item": w["bags"].pk, "quantity": 4, "recipient": "甲一居委", "purpose": "防汛演练"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("site_detail", w["site"].pk)
    body = response.content.decode()
    assert "出库成功" in body and "防汛沙袋 4只" in body
    assert Lot.objects.get().quantity == 6
    m = Movement.objects.latest("pk")
    assert (m.recipient, m.purpose, m.created_by) == ("甲一居委", "防汛演练", w["staff"])


def test_dispatch_over_stock_shows_a_chinese_message_and_changes_nothing(client, world):
    w = world
    stock(w["staff"], w["site"], w["bags"], 3)
    client.force_login(w["staff"])
    response = client.post(
        url("dispatch", w["site"].pk),
        {"item": w["bags"].pk, "quantity": 5, "recipient": "x", "purpose": "y"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "库存不足" in body and "可用 3只" in body and "未做任何变动" in body
    response = client.post(
        url("dispatch", w["site"].pk),
        {"item": w["bags"].pk, "quantity": -1, "recipient": "", "purpose": "y"},
    )
    body = response.content.decode()
    assert "这个字段是必填项" in body and "大于或等于1" in body
    assert Lot.objects.get().quantity == 3 and Movement.objects.count() == 1


def test_transfer_form_offers_only_editable_sites(client, world):
    w = world
    stock(w["staff"], w["site"], w["bags"], 10)
    client.force_login(w["staff"])
    page = client.get(url("transfer", w["site"].pk)).content.decode()
    assert "甲一居委储备点" in page and "乙街道储备库" not in page
    response = client.post(
        url("transfer", w["site"].pk),
        {"item": w["bags"].pk, "quantity": 2, "destination": w["foreign"].pk},
    )
    assert "选择一个有效的选项" in response.content.decode()
    response = client.post(
        url("transfer", w["site"].pk),
        {"item": w["bags"].pk, "quantity": 2, "destination": w["point"].pk, "note": "补充"},
    )
    assert response.status_code == 302
    assert Lot.objects.get(site=w["point"]).quantity == 2
    assert not Lot.objects.filter(site=w["foreign"]).exists()


def test_receive_adjust_standard_and_check_forms(client, world):
    w = world
    client.force_login(w["staff"])
    site = w["site"]
    response = client.post(
        url("receive", site.pk), {"item": w["water"].pk, "quantity": 10, "lot_no": ""}
    )
    assert "有保质期，请填写有效期至" in response.content.decode()
    assert not Lot.objects.exists()
    client.post(
        url("receive", site.pk),
        {"item": w["water"].pk, "quantity": 10, "expiry_date": "2099-06-30", "lot_no": ""},
    )
    lot = Lot.objects.get()
    assert (lot.lot_no, lot.quantity) == ("效期20990630", 10)
    client.post(url("adjust", site.pk), {"lot": lot.pk, "counted": 8, "note": "盘点短少"})
    lot.refresh_from_db()
    assert lot.quantity == 8
    client.post(url("standards", site.pk), {"item": w["water"].pk, "minimum": 20})
    assert Standard.objects.get().minimum == 20
    detail = client.get(url("site_detail", site.pk)).content.decode()
    assert "低于标准" in detail and "缺 12 箱" in detail
    client.post(
        url("check_create", site.pk),
        {"kind": "stocktake", "checked_on": "2020-01-01", "checker": "李四", "result": "ok"},
    )
    assert SiteCheck.objects.get().checker == "李四"


def test_create_site_limits_units_to_the_users_street(client, world):
    w = world
    client.force_login(w["staff"])
    form = client.get(url("site_create")).context["form"]
    assert set(form.fields["org_unit"].queryset.values_list("code", flat=True)) == {"S1", "S1C1"}
    data = {
        "name": "新储备点",
        "org_unit": w["s2"].pk,
        "level": "street",
        "mode": "own",
        "check_interval_days": 30,
        "is_active": "on",
    }
    response = client.post(url("site_create"), data)
    assert "选择一个有效的选项" in response.content.decode()
    data |= {"org_unit": w["c1"].pk, "mode": "agreement"}
    response = client.post(url("site_create"), data)
    assert "协议储备必须填写协议单位" in response.content.decode()
    data |= {"partner": "联华超市", "contract_end": "2030-12-31"}
    response = client.post(url("site_create"), data)
    site = Site.objects.get(name="新储备点")
    assert response.url == url("site_detail", site.pk)
    assert (site.code, site.created_by) == ("S1C1-02", w["staff"])


def _many_rows(w, n):
    start = Site.objects.filter(code__startswith="S1-X").count()
    for i in range(start, start + n):
        site = SiteFactory(org_unit=w["s1"], code=f"S1-X{i}", name=f"批量储备点{i}")
        item = ItemFactory(code=f"Q{i}", expires=True)
        stock(w["staff"], site, item, 5, expiry_in=10 + i)
        services.set_standard(w["staff"], site, item, 10)
        services.dispatch(w["staff"], site, item, 1, recipient="x", purpose="y")


@pytest.mark.parametrize("name", ["list", "overview", "movements", "site_detail"])
def test_query_count_does_not_grow_with_rows(client, world, name, django_assert_max_num_queries):
    w = world
    page = url(name, w["site"].pk) if name == "site_detail" else url(name)
    client.force_login(w["staff"])
    _many_rows(w, 1)
    stock(w["staff"], w["site"], w["bags"], 5)  # the site's page has a stock table from the start
    with django_assert_max_num_queries(30) as few:
        assert client.get(page).status_code == 200
    _many_rows(w, 12) if name != "site_detail" else None
    if name == "site_detail":
        for i in range(12):
            item = ItemFactory(code=f"D{i}", expires=True)
            stock(w["staff"], w["site"], item, 5, expiry_in=10 + i)
            services.set_standard(w["staff"], w["site"], item, 10)
            services.dispatch(w["staff"], w["site"], item, 1, recipient="x", purpose="y")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(page)
    assert response.status_code == 200
    body = response.content.decode()
    if name == "list":
        assert body.count("批量储备点") == 13
    if name == "site_detail":
        assert body.count("测试物资") >= 12


def test_exports_query_count_is_constant(client, world, django_assert_max_num_queries):
    w = world
    client.force_login(w["staff"])
    _many_rows(w, 1)
    with django_assert_max_num_queries(10) as few:
        client.get(url("movement_export"))
        client.get(url("stock_export"))
    _many_rows(w, 15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        moves = client.get(url("movement_export"))
        lots = client.get(url("stock_export"))
    assert len(sheet_rows(moves)) == 1 + 32 and len(sheet_rows(lots)) == 1 + 16


def test_admin_pages_work_and_movements_are_read_only(client, world):
    from apps.orgs.models import User

    w = world
    stock(w["staff"], w["site"], w["bags"], 10)
    admin = User.objects.create_superuser("root", password="x-long-password-1")
    client.force_login(admin)
    for model in ("item", "site", "lot", "standard", "movement", "sitecheck"):
        assert client.get(f"/admin/supplies/{model}/").status_code == 200, model
    move = Movement.objects.get()
    assert client.get(f"/admin/supplies/movement/{move.pk}/delete/").status_code == 403
    assert client.get("/admin/supplies/movement/add/").status_code == 403


def test_a_service_error_on_a_field_the_form_lacks_is_shown_at_the_top(client, world, monkeypatch):
    """A service's field error is shown on its field when the form has it, at the top when it
    does not (``add_error(None, …)`` raised ValueError there: a 500), and nothing is saved."""
    from django.core.exceptions import ValidationError

    def refuse(user, site):
        raise ValidationError({"updated_by": "修改人无效。", "name": "名称重复。"})

    monkeypatch.setattr(services, "save_site", refuse)
    client.force_login(world["staff"])
    data = {
        "name": "新储备点",
        "org_unit": world["s1"].pk,
        "level": "street",
        "mode": "own",
        "check_interval_days": 30,
        "is_active": "on",
    }
    response = client.post(url("site_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name"] == ["名称重复。"]
    assert form.non_field_errors() == ["修改人无效。"]
    assert not Site.objects.filter(name="新储备点").exists()
