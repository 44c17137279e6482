"""SQLAlchemy models of the whole domain; importing this package registers them all."""

from models.activity import Activity, ActivityKind
from models.base import Base
from models.contest import Contest, ContestResult, ContestTeam
from models.crm import CrmRecord, DealImport
from models.crm_sync import (
    CrmConnection,
    CrmDealState,
    CrmOwner,
    CrmProblem,
    CrmStage,
    CrmWebhookEvent,
)
from models.deal import Deal, DealCounter, DealEvent, KeyDealAlert, NextStepReminder, StageDef
from models.deal_field import DealField, DealFieldValue
from models.delivery import OutboxMessage, ProcessedEvent, ScheduledRun, SeenRequest
from models.forecast import ForecastCall
from models.standup import (
    Holiday,
    StandupBlocker,
    StandupDay,
    StandupPrompt,
    StandupResponse,
    StandupSettings,
)
from models.target import TEAM_SCOPE, RewardGrant, RewardRule, Target, TargetEvent
from models.wallboard import WallboardLink
from models.workspace import FxRate, Member, SalesTeam, Workspace

__all__ = [
    "TEAM_SCOPE",
    "Activity",
    "ActivityKind",
    "Base",
    "Contest",
    "ContestResult",
    "ContestTeam",
    "CrmConnection",
    "CrmDealState",
    "CrmOwner",
    "CrmProblem",
    "CrmRecord",
    "CrmStage",
    "CrmWebhookEvent",
    "Deal",
    "DealCounter",
    "DealEvent",
    "DealField",
    "DealFieldValue",
    "DealImport",
    "ForecastCall",
    "FxRate",
    "Holiday",
    "KeyDealAlert",
    "Member",
    "NextStepReminder",
    "OutboxMessage",
    "ProcessedEvent",
    "RewardGrant",
    "RewardRule",
    "SalesTeam",
    "ScheduledRun",
    "SeenRequest",
    "StageDef",
    "StandupBlocker",
    "StandupDay",
    "StandupPrompt",
    "StandupResponse",
    "StandupSettings",
    "Target",
    "TargetEvent",
    "WallboardLink",
    "Workspace",
]
