"""A provider whose answers are a plain function the caller writes.

Like pydantic-ai's ``FunctionModel``: first-class, in the package, so tests (and
notebooks exploring "what if the model said X") swap it in through the constructor
instead of patching HTTP. It records every request it receives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from pydantic import BaseModel

from coach.providers.base import Completion, ProviderRequest, StreamMeta, T

Script = Callable[[ProviderRequest, type[BaseModel]], BaseModel]


class ScriptedProvider:
    def __init__(self, script: Script, *, name: str = "scripted", model: str = "script") -> None:
        self.name = name
        self._model = model
        self._script = script
        self.requests: list[ProviderRequest] = []

    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        self.requests.append(request)
        value = self._script(request, output)
        return Completion[output](  # type: ignore[valid-type]
            value=output.model_validate(value.model_dump()),
            provider=self.name,
            model=request.settings.model if self._model == "script" else self._model,
        )

    async def stream(self, request: ProviderRequest, meta: StreamMeta) -> AsyncIterator[str]:
        """Streams the ``text`` field of what the script returns, word by word."""
        self.requests.append(request)
        meta.provider, meta.model = self.name, request.settings.model
        value = self._script(request, BaseModel)
        for word in str(getattr(value, "text", value)).split(" "):
            yield word + " "
