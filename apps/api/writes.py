"""The write endpoints: work orders (hazard reports, idempotent by the external order id), CAP
1.2 alerts, incidents' 初报 and 社区云 population. Each checks the payload's shape with a
serializer, then calls one service (``apps.api.services``, which calls the owning app's) as
the client's service account, inside ``acting_as`` so the audit trail names the client. A
refused payload is a problem document (400) and the transaction saved nothing.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.parsers import BaseParser
from rest_framework.response import Response

from apps.hazards.models import Hazard
from apps.warnings.selectors import figures

from . import serializers as s
from . import services
from .base import ApiView, acting_as
from .models import Scope
from .views import (
    INCIDENT_LIST_SCHEMA,
    TAG_HAZARDS,
    TAG_INCIDENTS,
    TAG_ORGS,
    TAG_WARNINGS,
    IncidentListView,
)

PROBLEM = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=_(
        "RFC 7807 问题详情（application/problem+json），detail 为中文说明，errors 为各字段的错误"
    ),
)


@extend_schema(
    tags=[TAG_HAZARDS],
    summary=_("上报隐患（工单）"),
    description=_(
        "12345、网格等工单系统上报隐患。order_id 是幂等键：同一接入系统重复提交同一工单号不会"
        "重复创建，返回首次创建的隐患（200，响应头 Idempotent-Replayed: true）；首次创建返回 201。"
    ),
    request=s.WorkOrderSerializer,
    responses={201: s.WorkOrderResultSerializer, 200: s.WorkOrderResultSerializer, 400: PROBLEM},
)
class WorkOrderView(ApiView):
    scopes = {"POST": Scope.WRITE_HAZARDS}
    serializer_class = s.WorkOrderSerializer

    def post(self, request, *args, **kwargs):
        payload = s.WorkOrderSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        with acting_as(request):
            hazard, created = services.report_work_order(request.user, self.client, **data)
        # read back as the client sees it (a replay's hazard may have left its scope since)
        hazard = get_object_or_404(
            Hazard.objects.visible_to(request.user)
            .with_flags()
            .select_related("org_unit", "category"),
            pk=hazard.pk,
        )
        body = s.WorkOrderResultSerializer(
            {"order_id": data["order_id"], "created": created, "hazard": hazard}
        ).data
        if created:
            return Response(body, status=status.HTTP_201_CREATED)
        return Response(body, headers={"Idempotent-Replayed": "true"})


class CapParser(BaseParser):
    """A CAP 1.2 alert as sent: the XML bytes, parsed by ``apps.warnings.cap``."""

    media_type = "application/cap+xml"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


class XmlParser(CapParser):
    media_type = "application/xml"


class TextXmlParser(CapParser):
    media_type = "text/xml"


CAP_EXAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>urn:oid:2.49.0.1.156.0.2026.07.01.001</identifier>
  <sender>changning-fxb@example.gov.cn</sender>
  <sent>2026-07-01T08:00:00+08:00</sent>
  <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info>
    <event>暴雨</event><severity>Severe</severity>
    <headline>长宁区暴雨橙色预警</headline>
    <description>预计未来3小时内长宁区将出现50毫米以上降水。</description>
    <expires>2026-07-01T20:00:00+08:00</expires>
    <senderName>长宁区防汛办</senderName>
    <area><areaDesc>华阳路街道</areaDesc><geocode><valueName>code</valueName>
      <value>310105001</value></geocode></area>
  </info>
</alert>"""


@extend_schema(
    tags=[TAG_WARNINGS],
    summary=_("导入预警（CAP 1.2）"),
    description=_(
        "以本接入系统所属单位（区或街镇）的名义导入一条 CAP 1.2 预警：Alert 成为草稿，Update "
        "成为更新原预警的草稿，均须在平台经另一人审核后发布；Cancel 解除所引用的预警。请求体为 "
        "CAP XML（Content-Type: application/cap+xml），上限 512 KB，不接受 DTD 和实体。"
    ),
    request={"application/cap+xml": OpenApiTypes.STR},
    examples=[OpenApiExample("CAP", value=CAP_EXAMPLE, request_only=True)],
    responses={201: s.WarningImportResultSerializer, 400: PROBLEM},
)
class CapImportView(ApiView):
    scopes = {"POST": Scope.WRITE_WARNINGS}
    parser_classes = [CapParser, XmlParser, TextXmlParser]
    serializer_class = s.WarningImportResultSerializer

    def post(self, request, *args, **kwargs):
        data = request.data if isinstance(request.data, bytes) else b""
        with acting_as(request):
            warning = services.import_cap_alert(request.user, self.client, data)
        warning.call_figures = figures([])
        return Response(
            s.WarningImportResultSerializer({"warning": warning}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    get=extend_schema(**INCIDENT_LIST_SCHEMA),
    post=extend_schema(
        tags=[TAG_INCIDENTS],
        summary=_("报送突发事件（初报）"),
        description=_(
            "登记突发事件并报送初报，须包含全部要素（时间、地点、信息来源、事件性质、影响范围、"
            "伤亡损失、发展趋势、已采取措施）；自然灾害须填写灾情数据（无则填 0）。"
            "报送时限按事发单位所在区的规则计算。"
        ),
        request=s.IncidentFilingSerializer,
        responses={201: s.IncidentDetailSerializer, 400: PROBLEM},
    ),
)
class IncidentsView(IncidentListView):
    """GET: the list (``IncidentListView``); POST: a 初报."""

    scopes = {"GET": Scope.READ_INCIDENTS, "POST": Scope.WRITE_INCIDENTS}

    def post(self, request, *args, **kwargs):
        payload = s.IncidentFilingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with acting_as(request):
            incident = services.file_incident(request.user, **payload.validated_data)
        incident = self.get_queryset().prefetch_related("reports").get(pk=incident.pk)
        return Response(s.IncidentDetailSerializer(incident).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=[TAG_ORGS],
    summary=_("更新人口户数（社区云）"),
    description=_(
        "社区云报送各单位的常住人口和户数：全部成功或全部不保存，错误按行列出。常住人口同时"
        "更新组织单元的人口，用于人均避难场所面积等指标。"
    ),
    request=s.PopulationBatchSerializer,
    responses={200: s.PopulationResultSerializer, 400: PROBLEM},
)
class PopulationView(ApiView):
    scopes = {"POST": Scope.WRITE_POPULATION}
    serializer_class = s.PopulationBatchSerializer

    def post(self, request, *args, **kwargs):
        payload = s.PopulationBatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with acting_as(request):
            count = services.record_population(
                request.user, self.client, payload.validated_data["rows"]
            )
        return Response({"updated": count})
