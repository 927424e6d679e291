"""Span attribute names: OpenTelemetry's GenAI semantic conventions, then our own.

Named once here so the team, the providers, the exporter and the analytics SQL agree
on spelling; a chart that filters on ``gen_ai.request.model`` finds every model call.
"""

from __future__ import annotations

from typing import Final

from opentelemetry.semconv._incubating.attributes import db_attributes as _db
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as _gen_ai
from opentelemetry.semconv.attributes import error_attributes as _error
from opentelemetry.semconv.attributes import server_attributes as _server

# --- GenAI semantic conventions ----------------------------------------------------------
# Spelled by the opentelemetry-semantic-conventions package (GenAI names are still
# "incubating" there), so a collector's GenAI views find them under the standard names.
OPERATION: Final = _gen_ai.GEN_AI_OPERATION_NAME
PROVIDER: Final = _gen_ai.GEN_AI_PROVIDER_NAME
REQUEST_MODEL: Final = _gen_ai.GEN_AI_REQUEST_MODEL
RESPONSE_MODEL: Final = _gen_ai.GEN_AI_RESPONSE_MODEL
RESPONSE_ID: Final = _gen_ai.GEN_AI_RESPONSE_ID
FINISH_REASONS: Final = _gen_ai.GEN_AI_RESPONSE_FINISH_REASONS
OUTPUT_TYPE: Final = _gen_ai.GEN_AI_OUTPUT_TYPE
CONVERSATION_ID: Final = _gen_ai.GEN_AI_CONVERSATION_ID
TEMPERATURE: Final = _gen_ai.GEN_AI_REQUEST_TEMPERATURE
MAX_TOKENS: Final = _gen_ai.GEN_AI_REQUEST_MAX_TOKENS
TOP_P: Final = _gen_ai.GEN_AI_REQUEST_TOP_P
INPUT_TOKENS: Final = _gen_ai.GEN_AI_USAGE_INPUT_TOKENS
OUTPUT_TOKENS: Final = _gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS
AGENT_NAME: Final = _gen_ai.GEN_AI_AGENT_NAME
INPUT_MESSAGES: Final = _gen_ai.GEN_AI_INPUT_MESSAGES
OUTPUT_MESSAGES: Final = _gen_ai.GEN_AI_OUTPUT_MESSAGES
SERVER_ADDRESS: Final = _server.SERVER_ADDRESS
SERVER_PORT: Final = _server.SERVER_PORT
ERROR_TYPE: Final = _error.ERROR_TYPE

OPERATION_CHAT: Final = _gen_ai.GenAiOperationNameValues.CHAT.value
OPERATION_INVOKE_AGENT: Final = _gen_ai.GenAiOperationNameValues.INVOKE_AGENT.value
OUTPUT_JSON: Final = _gen_ai.GenAiOutputTypeValues.JSON.value
OUTPUT_TEXT: Final = _gen_ai.GenAiOutputTypeValues.TEXT.value

# --- database semantic conventions (store spans) ------------------------------------------
DB_SYSTEM: Final = _db.DB_SYSTEM_NAME
DB_OPERATION: Final = _db.DB_OPERATION_NAME

# --- ours ----------------------------------------------------------------------------------
COACH_OPERATION: Final = "coach.operation"  # "turn" or "store": spans that are not GenAI calls
COACH_TURN: Final = "coach.turn"  # the user-visible operation: "evaluate_answer", "chat_reply"
SESSION_ID: Final = "coach.session_id"
USER_ID: Final = "coach.user_id"  # a keyed hash of issuer and subject; never the email
PERSONA: Final = "coach.persona"
VARIANT: Final = "coach.variant"
EXPERIMENT_ID: Final = "coach.experiment_id"  # on a persona experiment's spans
AGENT: Final = "coach.agent"  # the seat: primary, feedback, general_chat
TEAM: Final = "coach.team"
TASK: Final = "coach.task"
QUEUE_MS: Final = "coach.queue_ms"
TTFT_MS: Final = "coach.ttft_ms"
FALLBACK: Final = "coach.fallback"
NOTICE: Final = "coach.notice"
SCORE: Final = "coach.evaluation.score"

OPERATION_TURN: Final = "turn"
OPERATION_STORE: Final = "store"
