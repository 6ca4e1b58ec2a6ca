"""The data model and the domain operations that keep it consistent. Imports no Flask or Streamlit, so
workers and dashboards import it alone."""

from models.ai import AISettings, KnowledgeEntry
from models.ai_state import AIAction, AIConversationState
from models.audit import AuditLog
from models.base import Base
from models.contact import Contact
from models.conversation import Conversation, ConversationLabel, ConversationRead
from models.csat import CsatResponse, CsatSettings, CsatSurvey
from models.csat_answers import CsatCapture
from models.event import ConversationEvent
from models.facts import ConversationFact, FactsWatermark
from models.inbox import Inbox, SyncRun
from models.label import ContactLabel, Label
from models.login_throttle import LoginThrottle
from models.message import Message
from models.outbox import OutboxEvent
from models.reply import MessageTemplate, QuickReply
from models.saved_report import SavedReport
from models.sgp import SgpIntegration
from models.tenant import Tenant
from models.user import Team, TeamMember, User

__all__ = [
    "AIAction",
    "AIConversationState",
    "AISettings",
    "AuditLog",
    "Base",
    "Contact",
    "ContactLabel",
    "Conversation",
    "ConversationEvent",
    "ConversationFact",
    "ConversationLabel",
    "ConversationRead",
    "CsatCapture",
    "CsatResponse",
    "CsatSettings",
    "CsatSurvey",
    "FactsWatermark",
    "Inbox",
    "KnowledgeEntry",
    "Label",
    "LoginThrottle",
    "Message",
    "MessageTemplate",
    "OutboxEvent",
    "QuickReply",
    "SavedReport",
    "SgpIntegration",
    "SyncRun",
    "Team",
    "TeamMember",
    "Tenant",
    "User",
]
