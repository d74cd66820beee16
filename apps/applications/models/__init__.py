"""示范社区创建: the models, one module per noun.

- ``standards``: the versioned scoring standards — basic conditions (gates) apart from the
  scored items — reference data;
- ``applications``: an application, its self-assessment, the district's scores, evidence files
  and the workflow (``TRANSITIONS``);
- ``survey``: the residents' questionnaire of a community (满意率, 参与率), answered without
  log-in from a QR code;
- ``records``: evidence the portal keeps as records — 科普宣传教育 activities with their QR
  sign-in and photos, yearly funding (经费投入) and residents' disaster insurance;
- ``reviews``: review beyond the desk — on-site checks (现场核查), the yearly 动态管理 抽查 and
  the 复审 of an awarded title, each scored on the standard's items, with photos.
"""

from .applications import (
    CLOSED_STATES,
    EDITABLE_STATES,
    TRANSITIONS,
    WAITING_STATES,
    Action,
    Application,
    ApplicationEvent,
    ApplicationQuerySet,
    AspectReview,
    ChildQuerySet,
    Evidence,
    ItemAssessment,
    Side,
    State,
    Transition,
    validate_evidence,
)
from .records import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    Funding,
    NationalDay,
    SignIn,
    national_day_of,
)
from .reviews import Inspection, InspectionKind, InspectionPhoto, InspectionScore
from .standards import (
    POINTS,
    Aspect,
    Condition,
    ConditionRule,
    FactGroup,
    Item,
    Proof,
    Standard,
    TargetTitle,
)
from .survey import SATISFIED_CHOICES, Satisfaction, Survey, SurveyResponse

__all__ = [
    "Inspection",
    "InspectionKind",
    "InspectionPhoto",
    "InspectionScore",
    "SATISFIED_CHOICES",
    "Activity",
    "ActivityKind",
    "ActivityPhoto",
    "Funding",
    "NationalDay",
    "Satisfaction",
    "SignIn",
    "Survey",
    "SurveyResponse",
    "national_day_of",
    "CLOSED_STATES",
    "EDITABLE_STATES",
    "POINTS",
    "TRANSITIONS",
    "WAITING_STATES",
    "Action",
    "Application",
    "ApplicationEvent",
    "ApplicationQuerySet",
    "Aspect",
    "AspectReview",
    "ChildQuerySet",
    "Condition",
    "ConditionRule",
    "Evidence",
    "FactGroup",
    "Item",
    "ItemAssessment",
    "Proof",
    "Side",
    "Standard",
    "State",
    "TargetTitle",
    "Transition",
    "validate_evidence",
]
