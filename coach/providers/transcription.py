"""Speech to text with the provider's transcription model (OpenAI or compatible).

The offline coach cannot transcribe; the voice service says so and still reports what
the audio alone shows. Errors become ``ProviderError``s that name the server, never the
key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

import httpx
import openai
from openai import OpenAI
from pydantic import SecretStr

from coach.errors import ProviderError, ProviderUnavailable

log = logging.getLogger(__name__)

DEFAULT_TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe"


class Transcriber(Protocol):
    model: str

    def transcribe(self, wav: bytes) -> str: ...


class OpenAITranscriber:
    def __init__(
        self,
        *,
        api_key: SecretStr | None,
        base_url: str | None,
        model: str = DEFAULT_TRANSCRIPTION_MODEL,
        timeout_seconds: float = 60,
        http_client: httpx.Client | None = None,
    ) -> None:
        self.model = model
        key = api_key.get_secret_value() if api_key else "not-needed"
        self._client = OpenAI(
            api_key=key,
            base_url=base_url,
            timeout=timeout_seconds,
            max_retries=1,
            http_client=http_client,  # type: ignore[arg-type]
        )
        self._server = self._client.base_url.host or "the model server"

    def __repr__(self) -> str:
        return f"OpenAITranscriber(model={self.model!r}, server={self._server!r})"

    def transcribe(self, wav: bytes) -> str:
        try:
            result = self._client.audio.transcriptions.create(
                model=self.model, file=("answer.wav", wav, "audio/wav")
            )
        except openai.APIConnectionError:
            raise ProviderUnavailable(
                f"The transcription server at {self._server} is not reachable."
            ) from None
        except openai.APIStatusError as error:
            raise ProviderError(
                f"The transcription model '{self.model}' at {self._server} refused the "
                f"recording (HTTP {error.status_code})."
            ) from None
        text = result if isinstance(result, str) else getattr(result, "text", "")
        log.info("recording transcribed", extra={"model": self.model, "chars": len(text)})
        return text.strip()


DEFAULT_TTS_MODEL = "gpt-4o-mini-tts"


def openai_tts(
    *, api_key: SecretStr | None, base_url: str | None, model: str = DEFAULT_TTS_MODEL
) -> Callable[[str, str], bytes]:
    """A ``(voice, text) -> WAV bytes`` function for voice previews in the real voices."""
    key = api_key.get_secret_value() if api_key else "not-needed"
    client = OpenAI(api_key=key, base_url=base_url, timeout=30, max_retries=1)

    def speak(voice: str, text: str) -> bytes:
        response = client.audio.speech.create(
            model=model, voice=voice, input=text, response_format="wav"
        )
        return response.content

    return speak
