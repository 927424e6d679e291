"""OpenAI Realtime voice: session config, client secrets, audio and the WebRTC relay.

Names load on first use, so ``coach.settings`` (which needs only
``coach.realtime.settings``) does not pay for importing PyAV, numpy and websockets.

A page needs three calls::

    session = session_config(persona, settings.realtime, question=text)
    relay = RealtimeRelay(token=key, session=session, settings=settings.realtime,
                          on_candidate_turn=store_answer)
    webrtc_streamer(..., audio_frame_callback=relay.on_frame, on_audio_ended=relay.on_ended)

then ``relay.status``, ``relay.transcript()`` and ``relay.stop()``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coach.realtime.audio import Downsampler, Upsampler, resample_48k_to_24k
    from coach.realtime.client_secrets import ClientSecret, mint_client_secret
    from coach.realtime.relay import RealtimeRelay, RelayState, RelayStats, RelayStatus
    from coach.realtime.session import session_config, voice_settings
    from coach.realtime.settings import RealtimeSettings, SemanticVad, ServerVad

__all__ = [
    "ClientSecret",
    "Downsampler",
    "RealtimeRelay",
    "RealtimeSettings",
    "RelayState",
    "RelayStats",
    "RelayStatus",
    "SemanticVad",
    "ServerVad",
    "Upsampler",
    "mint_client_secret",
    "resample_48k_to_24k",
    "session_config",
    "voice_settings",
]

_HOMES = {
    "ClientSecret": "client_secrets",
    "mint_client_secret": "client_secrets",
    "Downsampler": "audio",
    "Upsampler": "audio",
    "resample_48k_to_24k": "audio",
    "RealtimeRelay": "relay",
    "RelayState": "relay",
    "RelayStats": "relay",
    "RelayStatus": "relay",
    "session_config": "session",
    "voice_settings": "session",
    "RealtimeSettings": "settings",
    "SemanticVad": "settings",
    "ServerVad": "settings",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
