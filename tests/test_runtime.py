import asyncio
import threading

import pytest

from coach.runtime import AsyncRunner


def test_coroutines_run_on_one_loop_thread_from_any_caller_thread() -> None:
    runner = AsyncRunner()
    loops: list[asyncio.AbstractEventLoop] = []

    async def which_loop() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    threads = [
        threading.Thread(target=lambda: loops.append(runner.run(which_loop()))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(map(id, loops))) == 1 and loops[0] is runner.loop
    runner.close()


def test_exceptions_reach_the_caller() -> None:
    runner = AsyncRunner()

    async def boom() -> None:
        raise ValueError("model said no")

    with pytest.raises(ValueError, match="model said no"):
        runner.run(boom())
    runner.close()


def test_async_streams_become_plain_iterators() -> None:
    runner = AsyncRunner()

    async def pieces():  # type: ignore[no-untyped-def]
        for piece in ("Situation. ", "Task. ", "Action. ", "Result."):
            await asyncio.sleep(0)
            yield piece

    assert "".join(runner.iterate(pieces())) == "Situation. Task. Action. Result."
    runner.close()


def test_works_where_a_loop_is_already_running_like_jupyter() -> None:
    runner = AsyncRunner()

    async def answer() -> int:
        return 42

    async def notebook_cell() -> int:
        return runner.run(answer())

    assert asyncio.run(notebook_cell()) == 42
    runner.close()
