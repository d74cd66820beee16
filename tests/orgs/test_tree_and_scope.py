"""The org tree and the one scoping rule every app relies on."""

import pytest
from django.core.exceptions import ValidationError

from apps.orgs.models import OrgKind, OrgUnit, Role, can_edit_unit
from tests.conftest import make_user
from tests.factories import child


@pytest.mark.django_db
def test_path_and_depth_follow_the_tree(tree):
    assert tree["e1"].path == "/C1/D1/S1/S1C1/S1C1E1/"
    assert tree["e1"].depth == 4
    assert tree["sh"].depth == 0


def test_subtree_is_one_query_whatever_the_depth(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = {u.name for u in OrgUnit.objects.subtree(tree["d1"])}
    assert names == {"一区", "甲街道", "乙街道", "甲一居委", "甲一小区", "乙一居委"}


def test_ancestors_are_root_first(tree):
    assert [u.code for u in tree["e1"].ancestors()] == ["C1", "D1", "S1", "S1C1"]
    assert tree["e1"].street() == tree["s1"]
    assert tree["d1"].street() is None


def test_moving_a_unit_reroots_its_subtree(tree):
    s1 = tree["s1"]
    s1.parent = tree["d2"]
    s1.save()
    tree["e1"].refresh_from_db()
    assert tree["e1"].path == "/C1/D2/S1/S1C1/S1C1E1/"
    assert tree["e1"].depth == 4
    assert OrgUnit.objects.subtree(tree["d2"]).filter(code="S1C1E1").exists()


def test_kind_must_sit_below_its_parent(tree):
    bad = OrgUnit(kind=OrgKind.DISTRICT, code="X1", name="错层", parent=tree["s1"])
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "kind" in exc.value.message_dict


def test_a_unit_cannot_move_under_its_own_subtree(tree):
    d1 = OrgUnit.objects.get(code="D1")
    d1.parent = tree["c1"]
    with pytest.raises(ValidationError) as exc:
        d1.full_clean()
    assert "kind" in exc.value.message_dict  # levels only go down, so no cycle can form


def test_only_a_city_may_have_no_parent(db):
    with pytest.raises(ValidationError):
        OrgUnit(kind=OrgKind.STREET, code="S9", name="孤儿街道").full_clean()


def test_street_staff_see_their_street_and_below_only(tree):
    staff = make_user(tree["s1"])
    assert set(OrgUnit.objects.visible_to(staff).values_list("code", flat=True)) == {
        "S1",
        "S1C1",
        "S1C1E1",
    }
    assert set(OrgUnit.objects.editable_by(staff).values_list("code", flat=True)) == {
        "S1",
        "S1C1",
        "S1C1E1",
    }
    assert can_edit_unit(staff, tree["c1"])
    assert not can_edit_unit(staff, tree["c2"])
    assert not can_edit_unit(staff, tree["d1"])


def test_reviewers_and_city_viewers_read_but_never_edit(tree):
    reviewer = make_user(tree["d1"], role=Role.DISTRICT_REVIEWER)
    viewer = make_user(tree["sh"], role=Role.CITY_VIEWER)
    assert OrgUnit.objects.visible_to(reviewer).filter(code="S3").count() == 0
    assert OrgUnit.objects.visible_to(reviewer).filter(code__in=["S1", "S2", "S1C1"]).count() == 3
    assert OrgUnit.objects.visible_to(viewer).count() == OrgUnit.objects.count()
    assert not OrgUnit.objects.editable_by(reviewer).exists()
    assert not OrgUnit.objects.editable_by(viewer).exists()
    assert not can_edit_unit(reviewer, tree["s1"])


def test_anonymous_inactive_and_unitless_users_see_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    inactive = make_user(tree["s1"], is_active=False)
    unitless = make_user(None)
    for user in (AnonymousUser(), inactive, unitless):
        assert not OrgUnit.objects.visible_to(user).exists()


def test_superuser_sees_everything(tree):
    root = make_user(None, is_superuser=True, role=Role.ADMIN)
    assert OrgUnit.objects.visible_to(root).count() == OrgUnit.objects.count()
    assert OrgUnit.objects.editable_by(root).count() == OrgUnit.objects.count()


def test_prefix_of_a_code_is_not_a_subtree(tree):
    """``/C1/D1/S1/`` must not match a sibling coded ``S10``."""
    s10 = child(tree["d1"], OrgKind.STREET, code="S10", name="甲十街道")
    staff = make_user(tree["s1"])
    assert s10 not in OrgUnit.objects.visible_to(staff)
