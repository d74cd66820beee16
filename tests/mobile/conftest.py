import pytest

from apps.hazards.models import HazardState
from apps.orgs.models import Grid, OrgKind, Role
from tests.conftest import make_user
from tests.factories import child
from tests.hazards.factories import HazardFactory


@pytest.fixture
def phone(tree):
    """甲一居委 with two 小区 and a grid covering only the first; its front line; hazards
    being rectified in each 小区 and in 乙街道."""
    c1, e1 = tree["c1"], tree["e1"]
    e2 = child(c1, OrgKind.ESTATE, code="S1C1E2", name="甲一苑")
    grid = Grid.objects.create(community=c1, name="第一网格")
    grid.estates.set([e1])
    staff = make_user(tree["s1"])
    people = {
        "staff": staff,
        "checker": make_user(tree["s1"]),
        "community": make_user(c1, role=Role.COMMUNITY_STAFF),
        "grid_worker": make_user(c1, role=Role.GRID_WORKER, grid=grid),
        "officer": make_user(e1, role=Role.INFO_OFFICER),
        "reviewer": make_user(tree["d1"], role=Role.DISTRICT_REVIEWER),
    }
    assigned = {"state": HazardState.ASSIGNED, "created_by": staff}
    hazards = {
        "in_grid": HazardFactory(org_unit=e1, title="网格内的隐患", **assigned),
        "outside_grid": HazardFactory(org_unit=e2, title="网格外的隐患", **assigned),
        "other_street": HazardFactory(org_unit=tree["c2"], title="乙街道的隐患", **assigned),
        "new": HazardFactory(org_unit=e1, title="新上报的隐患", created_by=staff),
    }
    return {**tree, "e2": e2, "grid": grid, **people, **hazards}
