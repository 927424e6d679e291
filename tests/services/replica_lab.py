"""One app process (a replica) that tries to start a Persona Lab experiment when told:

    python -m tests.services.replica_lab EXPERIMENT_ID

It builds its workbench (the store from COACH_STORE__URL and COACH_STORE__PATH), prints
``ready``, waits for a line on stdin, starts the experiment and prints
{"runner": "host:pid", "started": bool, "refused": message, "status": what it lists}
as one JSON line; then it waits for another line and closes (cancelling its run).
Every model call takes a second, so a run it started is still going when it is asked.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from coach.errors import ExperimentError
from coach.experiments.runner import this_process
from coach.providers.base import Completion, ProviderRequest, T
from coach.providers.offline import OfflineProvider
from coach.settings import CoachSettings
from coach.users import Actor
from coach.workbench import build_workbench

CALL_SECONDS = 1.0


class SlowOffline(OfflineProvider):
    """The offline coach, a second per call: a run lasts long enough to be seen."""

    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        await asyncio.sleep(CALL_SECONDS)
        return await super().structured(request, output)


def status_of(workbench: Any, experiment_id: str) -> str:
    listing = workbench.experiments.list(Actor.local())
    return next(row.status.value for row in listing if row.experiment.id == experiment_id)


def main(experiment_id: str) -> None:
    workbench = build_workbench(CoachSettings(), provider=SlowOffline())
    try:
        print("ready", flush=True)
        sys.stdin.readline()
        started, refused = False, ""
        try:
            workbench.experiments.start(Actor.local(), experiment_id)
            started = True
        except ExperimentError as error:
            refused = str(error)
        report = {
            "runner": this_process(),
            "started": started,
            "refused": refused,
            "status": status_of(workbench, experiment_id),
        }
        print(json.dumps(report), flush=True)
        sys.stdin.readline()
    finally:
        workbench.close()


if __name__ == "__main__":
    main(sys.argv[1])
