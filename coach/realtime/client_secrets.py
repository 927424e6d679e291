"""Short-lived client secrets, so a browser can open a Realtime session itself.

The browser never sees the API key: the server mints an ``ek_...`` secret bound to
the session config (instructions, voice, turn detection) and hands over only that.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import openai
from openai import OpenAI
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from coach.errors import ProviderRejected, ProviderTimeout, ProviderUnavailable

if TYPE_CHECKING:
    import httpx

__all__ = ["ClientSecret", "mint_client_secret"]

logger = logging.getLogger(__name__)

_KEY_PATTERN = re.compile(r"\b(?:sk|ek)[-_][A-Za-z0-9_\-*.]{4,}")
_MAX_SERVER_MESSAGE = 200


class ClientSecret(BaseModel):
    """The ephemeral secret a browser connects with; ``value`` stays hidden in logs."""

    model_config = ConfigDict(frozen=True)

    value: SecretStr
    expires_at: datetime = Field(description="When the secret stops opening new sessions.")


def mint_client_secret(
    api_key: SecretStr,
    session: dict[str, Any],
    *,
    base_url: str = "https://api.openai.com/v1",
    expires_after_seconds: int = 600,
    timeout_seconds: float = 15,
    max_retries: int = 2,
    http_client: httpx.Client | None = None,
) -> ClientSecret:
    """``POST /realtime/client_secrets`` with ``session`` (see ``session_config``).

    Raises a :class:`~coach.errors.ProviderError` whose message names the server and
    what to check, never the key.
    """
    if not 10 <= expires_after_seconds <= 7200:
        raise ValueError("expires_after_seconds must be between 10 and 7200")
    server = urlsplit(base_url).netloc or base_url
    key = api_key.get_secret_value()
    client = OpenAI(
        api_key=key,
        base_url=base_url,
        timeout=timeout_seconds,
        max_retries=max_retries,
        http_client=http_client,  # type: ignore[arg-type]
    )
    try:
        created = client.realtime.client_secrets.create(
            session=session,  # type: ignore[arg-type]
            expires_after={"anchor": "created_at", "seconds": expires_after_seconds},
        )
    except openai.AuthenticationError as exc:
        raise ProviderRejected(
            f"{server} refused the API key (HTTP {exc.status_code}) when creating a voice "
            "session. Check COACH_OPENAI_API_KEY."
        ) from None
    except openai.PermissionDeniedError as exc:
        raise ProviderRejected(
            f"{server} denied access (HTTP {exc.status_code}) to realtime model "
            f"'{session.get('model')}'. Check that the key's project may use it, or pick "
            "another model (COACH_REALTIME__MODEL)."
        ) from None
    except openai.APITimeoutError:
        raise ProviderTimeout(
            f"{server} did not answer within {timeout_seconds:g} s when creating a voice "
            "session. Try again in a moment."
        ) from None
    except openai.APIConnectionError:
        raise ProviderUnavailable(
            f"Could not reach {server} to create a voice session. Check the network and "
            "COACH_OPENAI_BASE_URL."
        ) from None
    except openai.APIStatusError as exc:
        detail = _server_message(exc, key)
        raise ProviderRejected(
            f"{server} refused the voice session (HTTP {exc.status_code}){detail}."
        ) from None
    logger.info(
        "realtime client secret minted",
        extra={"server": server, "expires_at": created.expires_at, "model": session.get("model")},
    )
    return ClientSecret(
        value=SecretStr(created.value),
        expires_at=datetime.fromtimestamp(created.expires_at, UTC),
    )


def _server_message(exc: openai.APIStatusError, key: str) -> str:
    """The server's own explanation, shortened, with anything key-like blanked out."""
    body = exc.body
    message = ""
    if isinstance(body, dict):
        error = body.get("error", body)
        message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
    if not message:
        return ""
    if key:
        message = message.replace(key, "***")
    message = _KEY_PATTERN.sub("***", message)[:_MAX_SERVER_MESSAGE].rstrip(". ")
    return f": {message}"
