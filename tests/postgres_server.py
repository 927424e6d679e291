"""A real PostgreSQL server for the tests: ``initdb`` + ``pg_ctl`` in a temporary
folder, listening on a free loopback port, stopped by its pid at the end.

initdb refuses to run as root, so under root (CI containers) the server runs as the
``postgres`` user that Debian's package creates; anyone else runs it as themselves.
Durability is switched off (``fsync``, ``synchronous_commit``): a test database that
dies with the machine loses nothing anyone needs.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.processes import free_port

SUPERUSER = "coach"
START_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class PostgresServer:
    port: int
    pid: int

    def stop(self) -> None:
        """Stops the server now (the fixture's exit then finds it stopped)."""
        _stop(self.pid)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @contextmanager
    def database(self) -> Iterator[str]:
        """A new empty database (its URL), dropped afterwards."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        try:
            yield self.url(name)
        finally:
            with psycopg.connect(self.url(), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def postgres_binaries() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` are: on PATH, or Debian's newest version."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3])
    )
    return Path(versions[-1]).parent if versions else None


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    binaries = postgres_binaries()
    if binaries is None:
        raise RuntimeError("PostgreSQL is not installed: run scripts/bootstrap --test")
    user = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="coach-postgres-"))
    if user is not None:
        account = pwd.getpwnam(user)
        os.chown(folder, account.pw_uid, account.pw_gid)
    data = folder / "data"
    port = free_port()
    run = {"user": user, "check": True, "capture_output": True, "text": True}
    subprocess.run(
        [
            str(binaries / "initdb"),
            "--pgdata",
            str(data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
        **run,  # type: ignore[arg-type]
    )
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    subprocess.run(
        [
            str(binaries / "pg_ctl"),
            "--pgdata",
            str(data),
            "--log",
            str(folder / "server.log"),
            "--options",
            options,
            "--wait",
            "--timeout",
            str(START_TIMEOUT_SECONDS),
            "start",
        ],
        **run,  # type: ignore[arg-type]
    )
    pid = int((data / "postmaster.pid").read_text().splitlines()[0])
    try:
        yield PostgresServer(port=port, pid=pid)
    finally:
        _stop(pid)
        shutil.rmtree(folder, ignore_errors=True)


def _stop(pid: int) -> None:
    """Fast shutdown (SIGINT: roll back open transactions, then exit), then wait."""
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def fill_from_duckdb(path: Path, url: str, folder: Path) -> None:
    """Copies every table of the DuckDB file at ``path`` that the PostgreSQL database at
    ``url`` also has (the columns both have) through CSV and ``COPY``: the same data on
    both engines, for comparing them (tests) or a big database in seconds (benchmarks)."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as source, psycopg.connect(url) as target:
        source.execute("SET TimeZone = 'UTC'")
        present: dict[str, set[str]] = {}
        for table, column in target.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        ).fetchall():
            present.setdefault(table, set()).add(column)
        tables = [row[0] for row in source.execute("SHOW TABLES").fetchall()]
        for table in tables:
            if table not in present or table == "schema_version":
                continue
            columns = [
                row[0]
                for row in source.execute(f"DESCRIBE {table}").fetchall()
                if row[0] in present[table]
            ]
            listed = ", ".join(columns)
            csv = folder / f"{table}.csv"
            source.execute(f"COPY (SELECT {listed} FROM {table}) TO '{csv}' (HEADER false)")
            with (
                target.cursor() as cursor,
                cursor.copy(f"COPY {table} ({listed}) FROM STDIN (FORMAT csv)") as copy,  # type: ignore[arg-type]
                csv.open("rb") as data,
            ):
                while chunk := data.read(1 << 20):
                    copy.write(chunk)
            csv.unlink()
        target.commit()
        target.execute("ANALYZE")
