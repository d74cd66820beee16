"""应急力量 and the people behind it: the street's emergency leadership group (领导小组, for
有班子), emergency teams (应急队伍, for 有队伍) with members and training, disaster information
officers (灾害信息员, one per 小区) and vulnerable residents (脆弱人群 老/幼/孤/残) with their
helpers (结对帮扶) and visits (走访关爱).

Personal identifiers are validated (``validators``) and masked unless the user holds
``people.view_personal_identifiers`` (``privacy``); vulnerable-resident records need
``people.view_vulnerable_resident`` and every read of one is written to ``AccessLog``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import OrgUnit, ScopedModel, ScopedQuerySet

from .validators import (
    id_birth_date,
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_mobile,
)


class NormalizedIdentifiersMixin:
    """Phone and ID fields are normalised (spaces, hyphens, +86, lower-case x) before the
    validators run, whether the value came from a form, the admin or a spreadsheet."""

    phone_fields = ()
    id_number_fields = ()

    def normalize_identifiers(self):
        for name in self.phone_fields:
            setattr(self, name, normalize_phone(getattr(self, name)))
        for name in self.id_number_fields:
            setattr(self, name, normalize_id_number(getattr(self, name)))

    def clean_fields(self, exclude=None):
        self.normalize_identifiers()
        super().clean_fields(exclude)

    def save(self, *args, **kwargs):
        self.normalize_identifiers()
        super().save(*args, **kwargs)


class ChildRecord(models.Model):
    """Rows that belong to a scoped record (members, trainings, visits): attributable too."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


def mobile_field(verbose_name, blank=False):
    return models.CharField(verbose_name, max_length=20, blank=blank, validators=[validate_mobile])


# --- 领导小组 -----------------------------------------------------------------------------------


class LeadershipGroup(ScopedModel):
    """The unit's 应急工作领导小组 (one per unit) and its office (领导小组办公室)."""

    name = models.CharField(
        _("名称"), max_length=100, help_text=_("如：华阳路街道应急管理工作领导小组。")
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    document_no = models.CharField(
        _("成立文件文号"), max_length=100, blank=True, help_text=_("如：华街〔2024〕12号。")
    )
    office_department = models.CharField(
        _("办公室设在"), max_length=100, blank=True, help_text=_("如：街道应急办。")
    )
    office_phone = models.CharField(_("办公室电话"), max_length=30, blank=True)
    duties = models.TextField(_("主要职责"), blank=True)

    class Meta:
        verbose_name = _("应急工作领导小组")
        verbose_name_plural = _("应急工作领导小组")
        ordering = ["org_unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit"],
                name="people_one_group_per_unit",
                violation_error_message=_("该单位已有应急工作领导小组。"),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:leadership") + f"?unit={self.org_unit.code}"


class LeadershipMemberQuerySet(ScopedQuerySet):
    scope_path = "group__org_unit__path"


class LeadershipMember(NormalizedIdentifiersMixin, ChildRecord):
    class Post(models.TextChoices):
        LEADER = "leader", _("组长")
        EXECUTIVE_DEPUTY = "executive_deputy", _("常务副组长")
        DEPUTY = "deputy", _("副组长")
        MEMBER = "member", _("成员")
        OFFICE_DIRECTOR = "office_director", _("办公室主任")
        OFFICE_DEPUTY = "office_deputy", _("办公室副主任")
        OFFICE_MEMBER = "office_member", _("办公室成员")

    POST_ORDER = {value: i for i, value in enumerate(Post.values)}
    OFFICE_POSTS = {Post.OFFICE_DIRECTOR, Post.OFFICE_DEPUTY, Post.OFFICE_MEMBER}

    group = models.ForeignKey(
        LeadershipGroup,
        verbose_name=_("领导小组"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    post = models.CharField(_("小组职务"), max_length=20, choices=Post.choices)
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(
        _("本职职务"), max_length=100, help_text=_("如：街道办事处主任、社区管理办主任。")
    )
    phone = mobile_field(_("手机号码"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    phone_fields = ("phone",)
    objects = LeadershipMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        ordering = ["group", "sort_order", "pk"]

    def __str__(self):
        return f"{self.get_post_display()} {self.name}"

    @property
    def in_office(self):
        return self.post in self.OFFICE_POSTS


# --- 应急队伍 -----------------------------------------------------------------------------------


class CertificateType(models.Model):
    """Reference data: certificates and trained skills of team members (心肺复苏/AED …)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("证书/技能类别")
        verbose_name_plural = _("证书/技能类别")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class EmergencyTeam(ScopedModel):
    class Kind(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("先期处置队")
        PROFESSIONAL = "professional", _("专业处置队")
        VOLUNTEER = "volunteer", _("志愿服务队")
        MICRO_FIRE_STATION = "micro_fire", _("微型消防站")

    name = models.CharField(_("队伍名称"), max_length=100)
    kind = models.CharField(_("队伍类型"), max_length=20, choices=Kind.choices)
    founded_on = models.DateField(_("组建日期"), null=True, blank=True)
    duties = models.TextField(_("主要任务"), blank=True)
    equipment = models.TextField(
        _("装备情况"), blank=True, help_text=_("如：灭火器 20 具、AED 1 台、抽水泵 2 台。")
    )
    is_active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("应急队伍")
        verbose_name_plural = _("应急队伍")
        ordering = ["org_unit__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "name"],
                name="people_team_unique_name",
                violation_error_message=_("该单位已有同名的应急队伍。"),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:team_detail", args=[self.pk])


class TeamChildQuerySet(ScopedQuerySet):
    scope_path = "team__org_unit__path"


class TeamMember(NormalizedIdentifiersMixin, ChildRecord):
    class Role(models.TextChoices):
        LEADER = "leader", _("队长")
        DEPUTY = "deputy", _("副队长")
        MEMBER = "member", _("队员")

    team = models.ForeignKey(
        EmergencyTeam, verbose_name=_("队伍"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("队内职务"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    phone = mobile_field(_("手机号码"))
    skills = models.CharField(
        _("专业技能"), max_length=200, blank=True, help_text=_("如：电工、水电维修、驾驶。")
    )
    certificates = models.ManyToManyField(
        CertificateType, verbose_name=_("证书/培训合格"), blank=True, related_name="members"
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    phone_fields = ("phone",)
    objects = TeamChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["team", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(role="leader"),
                name="people_one_leader_per_team",
                violation_error_message=_("每支队伍只能有一名队长。"),
            )
        ]

    def __str__(self):
        return self.name


class TeamTraining(ChildRecord):
    team = models.ForeignKey(
        EmergencyTeam, verbose_name=_("队伍"), on_delete=models.CASCADE, related_name="trainings"
    )
    held_on = models.DateField(_("培训日期"))
    topic = models.CharField(_("培训内容"), max_length=200)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1, default=2)
    participants = models.PositiveSmallIntegerField(_("参训人数"), default=0)
    trainer = models.CharField(_("授课/组织单位"), max_length=100, blank=True)

    objects = TeamChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("队伍培训记录")
        verbose_name_plural = _("队伍培训记录")
        ordering = ["team", "-held_on"]

    def __str__(self):
        return f"{self.held_on} {self.topic}"


# --- 灾害信息员 ---------------------------------------------------------------------------------


class InformationOfficer(NormalizedIdentifiersMixin, ScopedModel):
    """灾害信息员. Belongs to the unit they cover: a street, a 居委/村 or — the target of one
    per 小区 — an estate."""

    name = models.CharField(_("姓名"), max_length=50)
    phone = mobile_field(_("手机号码"))
    affiliation = models.CharField(
        _("身份/所在单位"),
        max_length=100,
        blank=True,
        help_text=_("如：居委干部、物业经理、楼组长。"),
    )
    appointed_on = models.DateField(_("聘任日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在岗"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # The officer's log-in (灾害信息员 role), opened by street staff from the officers list
    # (apps.people.services.create_officer_accounts).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="officer",
    )

    phone_fields = ("phone",)

    class Meta:
        verbose_name = _("灾害信息员")
        verbose_name_plural = _("灾害信息员")
        ordering = ["org_unit__path", "name"]
        indexes = [models.Index(fields=["org_unit", "is_active"], name="people_officer_unit")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:officer_detail", args=[self.pk])


class OfficerTrainingQuerySet(ScopedQuerySet):
    scope_path = "officer__org_unit__path"


class OfficerTraining(ChildRecord):
    officer = models.ForeignKey(
        InformationOfficer,
        verbose_name=_("灾害信息员"),
        on_delete=models.CASCADE,
        related_name="trainings",
    )
    held_on = models.DateField(_("培训日期"))
    topic = models.CharField(_("培训内容"), max_length=200)
    organizer = models.CharField(_("组织单位"), max_length=100, blank=True)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1, default=2)

    objects = OfficerTrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("灾害信息员培训记录")
        verbose_name_plural = _("灾害信息员培训记录")
        ordering = ["officer", "-held_on"]

    def __str__(self):
        return f"{self.held_on} {self.topic}"


# --- 脆弱人群 -----------------------------------------------------------------------------------


class VulnerableResident(NormalizedIdentifiersMixin, ScopedModel):
    class Category(models.TextChoices):
        ELDERLY = "elderly", _("老")
        CHILD = "child", _("幼")
        ALONE = "alone", _("孤")
        DISABLED = "disabled", _("残")
        OTHER = "other", _("其他")

    class Gender(models.TextChoices):
        MALE = "m", _("男")
        FEMALE = "f", _("女")

    class Mobility(models.TextChoices):
        INDEPENDENT = "independent", _("能自理")
        PARTIAL = "partial", _("半自理")
        DEPENDENT = "dependent", _("不能自理")

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    id_number = models.CharField(
        _("身份证号"), max_length=18, blank=True, validators=[validate_id_number]
    )
    phone = mobile_field(_("手机号码"), blank=True)
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices)
    address = models.CharField(_("居住地址"), max_length=200)
    mobility = models.CharField(
        _("行动能力"), max_length=12, choices=Mobility.choices, default=Mobility.INDEPENDENT
    )
    needs = models.TextField(
        _("帮扶需求"), blank=True, help_text=_("如：行动不便，台风暴雨时需协助转移。")
    )
    emergency_contact = models.CharField(_("紧急联系人"), max_length=50, blank=True)
    emergency_phone = mobile_field(_("紧急联系人手机"), blank=True)
    is_active = models.BooleanField(_("在册"), default=True)

    phone_fields = ("phone", "emergency_phone")
    id_number_fields = ("id_number",)

    class Meta:
        verbose_name = _("脆弱人群")
        verbose_name_plural = _("脆弱人群")
        ordering = ["org_unit__path", "name"]
        permissions = [
            ("view_personal_identifiers", _("查看完整身份证号和手机号")),
            ("view_vulnerable_resident", _("查看脆弱人群信息")),
        ]
        indexes = [models.Index(fields=["org_unit", "category"], name="people_resident_unit")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:resident_detail", args=[self.pk])

    @property
    def age(self):
        """Age in whole years from the ID number's birth date, or None."""
        birth = id_birth_date(self.id_number) if len(self.id_number or "") == 18 else None
        if birth is None:
            return None
        today = timezone.localdate()
        return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class ResidentChildQuerySet(ScopedQuerySet):
    scope_path = "resident__org_unit__path"


class HelperAssignment(NormalizedIdentifiersMixin, ChildRecord):
    """结对帮扶: who looks after the resident, especially before a typhoon or flood warning."""

    class Relation(models.TextChoices):
        COMMUNITY_CADRE = "cadre", _("居委干部")
        BLOCK_LEADER = "block_leader", _("楼组长")
        GRID_WORKER = "grid", _("网格员")
        VOLUNTEER = "volunteer", _("志愿者")
        DOCTOR = "doctor", _("家庭医生")
        NEIGHBOUR = "neighbour", _("邻居/亲属")
        OTHER = "other", _("其他")

    resident = models.ForeignKey(
        VulnerableResident,
        verbose_name=_("帮扶对象"),
        on_delete=models.CASCADE,
        related_name="helpers",
    )
    helper_name = models.CharField(_("帮扶人"), max_length=50)
    helper_phone = mobile_field(_("帮扶人手机"))
    relation = models.CharField(_("帮扶人身份"), max_length=16, choices=Relation.choices)
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("帮扶内容"), max_length=200, blank=True)

    phone_fields = ("helper_phone",)
    objects = ResidentChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["resident", "ended_on", "-started_on"]

    def __str__(self):
        return f"{self.helper_name} → {self.resident}"

    @property
    def is_current(self):
        return self.ended_on is None


class Visit(ChildRecord):
    """走访关爱 record."""

    class Occasion(models.TextChoices):
        ROUTINE = "routine", _("日常走访")
        TYPHOON = "typhoon", _("台风预警前")
        RAINSTORM = "rainstorm", _("暴雨/防汛预警前")
        HEAT = "heat", _("高温天气")
        COLD = "cold", _("寒潮/冰冻")
        HOLIDAY = "holiday", _("节假日")
        CARD = "card", _("发放明白卡")
        OTHER = "other", _("其他")

    WARNING_OCCASIONS = {Occasion.TYPHOON, Occasion.RAINSTORM}

    resident = models.ForeignKey(
        VulnerableResident,
        verbose_name=_("走访对象"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    visited_on = models.DateField(_("走访日期"))
    occasion = models.CharField(_("走访类型"), max_length=16, choices=Occasion.choices)
    visitor = models.CharField(_("走访人"), max_length=50)
    findings = models.TextField(_("走访情况"))
    follow_up = models.CharField(_("后续措施"), max_length=200, blank=True)

    objects = ResidentChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访关爱记录")
        verbose_name_plural = _("走访关爱记录")
        ordering = ["resident", "-visited_on", "-pk"]
        indexes = [models.Index(fields=["resident", "visited_on"], name="people_visit_date")]

    def __str__(self):
        return f"{self.visited_on:%Y-%m-%d} {self.get_occasion_display()}"


class AccessLog(models.Model):
    """One read of one vulnerable-resident record (a detail page, an export row, an admin page):
    who, when, which record, how, from where. Written by ``services.record_access``; read-only
    in Django admin; scoped by the record's unit."""

    class Action(models.TextChoices):
        VIEW = "view", _("查看详情")
        EDIT = "edit", _("打开编辑")
        EXPORT = "export", _("导出")
        ADMIN_VIEW = "admin_view", _("后台查看")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    resident = models.ForeignKey(
        VulnerableResident,
        verbose_name=_("记录"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="access_logs",
    )
    record_label = models.CharField(_("记录摘要"), max_length=100)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("记录所属单位"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    path = models.CharField(_("访问地址"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("脆弱人群访问日志")
        verbose_name_plural = _("脆弱人群访问日志")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.username} {self.get_action_display()} {self.record_label}"
