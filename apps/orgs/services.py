"""Changes to the front line's accounts and to grids, made by street staff for their communities.

The rule kept here, whatever page calls: street staff (and admins) create, disable, enable and
reset the accounts of 居委/村工作人员, 网格员 and 灾害信息员 (``FRONTLINE_ROLES``) of the units
they may edit, and the grids of their communities; never an account of another role (no
street staff, reviewer or admin account comes out of a street) and never outside their scope
(``PermissionDenied``; the views answer 404 first, as the account is not visible to them). A
new account and a reset get a temporary password, returned once for the page to show, which
the user must change at the first log-in (``must_change_password``). Every change is saved
through ``save()`` so django-auditlog records it (a reset, which changes only the excluded
password, is logged explicitly).
"""

import secrets
import string

from auditlog.models import LogEntry
from axes.utils import reset as reset_lockout
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.security.passwords import character_classes

from .backends import MOBILE
from .models import (
    FRONTLINE_ROLES,
    Grid,
    OrgKind,
    OrgUnit,
    Role,
    User,
    can_edit_unit,
    records_changed,
    require_edit,
)

TEMPORARY_PASSWORD_LENGTH = 14
# No look-alikes (0/O, 1/l/I): the password is read off the screen and typed on a phone.
PASSWORD_ALPHABET = "".join(
    c for c in string.ascii_letters + string.digits + "!@#%*-+" if c not in "0O1lI"
)


def make_temporary_password() -> str:
    """A random password that meets the password policy (at least three character classes)."""
    while True:
        password = "".join(
            secrets.choice(PASSWORD_ALPHABET) for _ in range(TEMPORARY_PASSWORD_LENGTH)
        )
        if character_classes(password) >= 3:
            return password


def _grids_changed(*grids: Grid | None) -> None:
    """A grid's 小区 or its grid workers changed: the 网格化覆盖率 of its community and above
    (the dashboards' cache; users and a grid's 小区 send no save signal of their own)."""
    paths = [grid.community.path for grid in grids if grid is not None]
    if paths:
        records_changed.send(sender=Grid, paths=paths)


# --- Accounts -----------------------------------------------------------------------------


def _check_account(user: User, account: User) -> None:
    """Role, unit and identifiers of a new or changed front-line account (field errors)."""
    if account.role not in FRONTLINE_ROLES:
        raise ValidationError({"role": _("只能开通居委/村工作人员、网格员和灾害信息员账号。")})
    if account.role == Role.GRID_WORKER:
        if account.grid is None:
            raise ValidationError({"grid": _("网格员须选择所在网格。")})
        account.org_unit = account.grid.community
    else:
        account.grid = None
    if account.org_unit_id is None:
        raise ValidationError({"org_unit": _("请选择所属居委/村或小区。")})
    if not can_edit_unit(user, account.org_unit):
        raise ValidationError({"org_unit": _("只能为本单位下属的居委/村和小区开通账号。")})
    if account.grid is not None and not can_edit_unit(user, account.grid.community):
        raise ValidationError({"grid": _("只能选择本单位下属居委/村的网格。")})
    # One identifier, one account: a user name that is a mobile number is its own mobile.
    if MOBILE.fullmatch(account.username) and account.username != account.mobile:
        raise ValidationError({"username": _("用户名不能是手机号，除非就是本账号的手机号。")})
    if account.mobile:
        taken = User.objects.filter(username=account.mobile).exclude(pk=account.pk)
        if taken.exists():
            raise ValidationError({"mobile": _("该手机号已是其他账号的用户名。")})
    account.full_clean(exclude=["password"])


def create_account(
    user: User,
    *,
    username: str,
    last_name: str,
    first_name: str = "",
    mobile: str = "",
    role: str,
    org_unit: OrgUnit | None = None,
    grid: Grid | None = None,
) -> tuple[User, str]:
    """A front-line account and its temporary password (shown once)."""
    account = User(
        username=username,
        last_name=last_name,
        first_name=first_name,
        mobile=mobile,
        role=role,
        org_unit=org_unit,
        grid=grid,
        must_change_password=True,
    )
    _check_account(user, account)
    password = make_temporary_password()
    account.set_password(password)
    account.save()
    _grids_changed(account.grid)
    return account, password


def create_accounts(user: User, rows: list[dict]) -> list[tuple[User, str]]:
    """Several accounts at once (``create_account``'s keywords per row): all or none. Every
    bad row is reported, as "第 n 行", in one ValidationError."""
    created, errors = [], []
    with transaction.atomic():
        for number, row in enumerate(rows, start=1):
            try:
                created.append(create_account(user, **row))
            except ValidationError as exc:
                messages = "；".join(
                    str(message) for messages in exc.message_dict.values() for message in messages
                )
                errors.append(
                    _("第 %(n)d 行（%(name)s）：%(errors)s")
                    % {"n": number, "name": row.get("last_name", ""), "errors": messages}
                )
        if errors:
            transaction.set_rollback(True)
            raise ValidationError(errors)
    return created


def _locked(account: User) -> User:
    return User.objects.select_for_update().get(pk=account.pk)


def update_account(
    user: User,
    account: User,
    *,
    last_name: str,
    first_name: str = "",
    mobile: str = "",
    role: str,
    org_unit: OrgUnit | None = None,
    grid: Grid | None = None,
) -> User:
    """Name, mobile number, role and unit (or grid) of a front-line account."""
    require_edit(user, account.org_unit)
    if account.role not in FRONTLINE_ROLES:
        raise PermissionDenied
    with transaction.atomic():
        account = _locked(account)
        before = account.grid
        account.last_name, account.first_name, account.mobile = last_name, first_name, mobile
        account.role, account.org_unit, account.grid = role, org_unit, grid
        _check_account(user, account)
        account.save()
        _grids_changed(before, account.grid)
    return account


def _lock_editable(user: User, account: User) -> User:
    require_edit(user, account.org_unit)
    if account.role not in FRONTLINE_ROLES:
        raise PermissionDenied
    return _locked(account)


def set_account_active(user: User, account: User, *, active: bool) -> User:
    """Disable (停用: the user can no longer log in) or enable a front-line account."""
    with transaction.atomic():
        account = _lock_editable(user, account)
        if account.is_active != active:
            account.is_active = active
            account.save(update_fields=["is_active"])
            _grids_changed(account.grid)
    return account


def reset_account_password(user: User, account: User) -> str:
    """A new temporary password (returned once), to be changed at the next log-in; the log-in
    lockout of the account is lifted."""
    with transaction.atomic():
        account = _lock_editable(user, account)
        password = make_temporary_password()
        account.set_password(password)
        account.must_change_password = True
        account.save(update_fields=["password", "must_change_password"])
        # The password is never copied into the audit trail, so the reset is logged by name.
        LogEntry.objects.log_create(
            account,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            changes={"password": ["", str(_("重置为临时密码"))]},
            actor=user,
        )
    # failures by mobile number are recorded under the user name too (backends.lockout_username)
    reset_lockout(username=account.username)
    return password


# --- Grids --------------------------------------------------------------------------------


def save_grid(user: User, grid: Grid, *, estates) -> Grid:
    """Create or change a grid of a community the user may edit; its 小区 must be the
    community's."""
    community = grid.community if grid.community_id else None
    if community is None or community.kind != OrgKind.COMMUNITY:
        raise ValidationError({"community": _("请选择网格所在的居委/村。")})
    require_edit(user, community)
    estates = list(estates)
    foreign = [e.name for e in estates if e.parent_id != community.pk]
    if foreign:
        raise ValidationError(
            {
                "estates": _("小区须属于%(community)s：%(names)s 不是。")
                % {"community": community.name, "names": "、".join(foreign)}
            }
        )
    grid.full_clean(exclude=["estates"])
    with transaction.atomic():
        if grid.pk:
            Grid.objects.select_for_update().get(pk=grid.pk)
        grid.save()
        grid.estates.set(estates)
        _grids_changed(grid)
    return grid
