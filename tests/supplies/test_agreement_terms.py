"""协议条款: an agreement reserve (协议储备) records what its partner keeps ready (item, agreed
quantity, delivery within N hours of a call-off), one term per item, edited on the site's page
by those who may change the site; bad input ends in a Chinese message and nothing saved, another
street's site is a 404 and read-only roles get a 403."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.supplies import services
from apps.supplies.models import AgreementTerm, StorageMode
from tests.supplies.factories import SiteFactory, days

pytestmark = pytest.mark.django_db


def agreement_site(unit, **kw):
    return SiteFactory(
        org_unit=unit,
        mode=StorageMode.AGREEMENT,
        partner="甲街道联华超市",
        partner_contact="王经理",
        partner_phone="021-55550000",
        contract_end=days(365),
        **kw,
    )


@pytest.fixture
def reserve(world):
    return agreement_site(world["s1"], name="甲街道协议储备（超市）")


def terms_url(site):
    return reverse("supplies:terms", args=[site.pk])


def test_terms_are_set_changed_and_removed_on_the_agreement_sites_page(client, world, reserve):
    w = world
    client.force_login(w["staff"])
    page = client.get(terms_url(reserve))
    assert page.status_code == 200 and "王经理" in page.text
    response = client.post(
        terms_url(reserve), {"item": w["water"].pk, "quantity": 200, "promised_hours": 4}
    )
    assert response.status_code == 302
    term = AgreementTerm.objects.get(site=reserve, item=w["water"])
    assert (term.quantity, term.promised_hours, term.created_by) == (200, 4, w["staff"])
    detail = client.get(reserve.get_absolute_url()).text
    assert "承诺4小时内送达" in detail and terms_url(reserve) in detail
    client.post(terms_url(reserve), {"item": w["water"].pk, "quantity": 150, "promised_hours": 6})
    term.refresh_from_db()
    assert (term.quantity, term.promised_hours) == (150, 6)
    client.post(terms_url(reserve), {"item": w["water"].pk, "quantity": 0})
    assert not AgreementTerm.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"quantity": -1, "promised_hours": 4}, "0"),
        ({"quantity": "许多", "promised_hours": 4}, ""),
        ({"quantity": 10, "promised_hours": 0}, ""),
        ({"quantity": 10, "promised_hours": 500}, ""),
        ({"quantity": 10, "promised_hours": ""}, "承诺送达时限须为 1–168 小时的整数。"),
        ({"item": "", "quantity": 10, "promised_hours": 4}, ""),
        ({"item": 999999, "quantity": 10, "promised_hours": 4}, ""),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_saved(client, world, reserve, data, message):
    w = world
    client.force_login(w["staff"])
    response = client.post(terms_url(reserve), {"item": w["water"].pk} | data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert message in response.text
    assert not AgreementTerm.objects.exists()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"quantity": -5, "promised_hours": 4}, "quantity"),
        ({"quantity": True, "promised_hours": 4}, "quantity"),
        ({"quantity": 10, "promised_hours": None}, "promised_hours"),
        ({"quantity": 10, "promised_hours": 0}, "promised_hours"),
        ({"quantity": 10, "promised_hours": 169}, "promised_hours"),
        ({"quantity": 10, "promised_hours": 2.5}, "promised_hours"),
    ],
)
def test_the_service_refuses_bad_terms_on_their_field(world, reserve, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        services.set_agreement_term(world["staff"], reserve, world["water"], **kwargs)
    assert field in exc.value.error_dict
    assert not AgreementTerm.objects.exists()


def test_only_an_agreement_site_has_terms_and_one_per_item(client, world, reserve):
    w = world
    with pytest.raises(ValidationError, match="只有协议储备点"):
        services.set_agreement_term(w["staff"], w["site"], w["water"], quantity=5, promised_hours=2)
    client.force_login(w["staff"])
    page = client.get(terms_url(w["site"]))
    assert page.status_code == 200 and "不是协议储备" in page.text
    response = client.post(
        terms_url(w["site"]), {"item": w["water"].pk, "quantity": 5, "promised_hours": 2}
    )
    assert response.context["form"].non_field_errors() == ["只有协议储备点可以约定协议条款。"]
    services.set_agreement_term(w["staff"], reserve, w["water"], quantity=5, promised_hours=2)
    with pytest.raises(ValidationError, match="只有协议储备点"):
        AgreementTerm(site=w["site"], item=w["bags"], quantity=1, promised_hours=1).clean()
    twin = AgreementTerm(site=reserve, item=w["water"], quantity=9, promised_hours=1)
    with pytest.raises(ValidationError, match="该协议储备已约定此物资。"):
        twin.validate_constraints()
    bad = AgreementTerm(site=reserve, item=w["bags"], quantity=0, promised_hours=0)
    with pytest.raises(ValidationError) as exc:
        bad.validate_constraints()
    assert {"协议数量须大于 0。", "承诺送达时限须至少 1 小时。"} <= set(exc.value.messages)
    assert AgreementTerm.objects.count() == 1


def test_another_streets_reserve_is_a_404_and_read_only_roles_get_a_403(client, world, reserve):
    w = world
    data = {"item": w["water"].pk, "quantity": 5, "promised_hours": 2}
    client.force_login(w["other_staff"])
    assert client.get(terms_url(reserve)).status_code == 404
    assert client.post(terms_url(reserve), data).status_code == 404
    client.force_login(w["reviewer"])
    assert client.get(reserve.get_absolute_url()).status_code == 200
    assert client.get(terms_url(reserve)).status_code == 403
    assert client.post(terms_url(reserve), data).status_code == 403
    with pytest.raises(PermissionDenied):
        services.set_agreement_term(
            w["reviewer"], reserve, w["water"], quantity=5, promised_hours=2
        )
    assert not AgreementTerm.objects.exists()
