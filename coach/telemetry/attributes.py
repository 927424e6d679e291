"""Span attribute names: OpenTelemetry's GenAI semantic conventions, then our own.

Named once here so the team, the providers, the exporter and the analytics SQL agree
on spelling; a chart that filters on ``gen_ai.request.model`` finds every model call.
"""

from __future__ import annotations

from typing import Final

# --- GenAI semantic conventions ----------------------------------------------------------
OPERATION: Final = "gen_ai.operation.name"
PROVIDER: Final = "gen_ai.provider.name"
REQUEST_MODEL: Final = "gen_ai.request.model"
RESPONSE_MODEL: Final = "gen_ai.response.model"
TEMPERATURE: Final = "gen_ai.request.temperature"
MAX_TOKENS: Final = "gen_ai.request.max_tokens"
TOP_P: Final = "gen_ai.request.top_p"
INPUT_TOKENS: Final = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS: Final = "gen_ai.usage.output_tokens"
AGENT_NAME: Final = "gen_ai.agent.name"
INPUT_MESSAGES: Final = "gen_ai.input.messages"
OUTPUT_MESSAGES: Final = "gen_ai.output.messages"
ERROR_TYPE: Final = "error.type"

OPERATION_CHAT: Final = "chat"
OPERATION_INVOKE_AGENT: Final = "invoke_agent"

# --- database semantic conventions (store spans) ------------------------------------------
DB_SYSTEM: Final = "db.system.name"
DB_OPERATION: Final = "db.operation.name"

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
