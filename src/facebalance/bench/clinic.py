"""``facebalance bench-clinic``: the clinic web app under concurrent load, on SQLite and on PostgreSQL.

For each database a fresh production-style server is started on the loopback interface (gunicorn with
``facebalance.clinic.gunicorn_conf``: sync workers, one per core), the demo clinic is seeded, and one
consultation is prepared over HTTP (intake, frontal analysis, every finding confirmed, grades, plan). Then
``users`` virtual users (asyncio + httpx, each with its own login session and connection, no think time) log
in together, then, once all are in, run ``rounds`` rounds of the main pages and API operations; the run is
bounded by ``max_requests`` and ``max_seconds``. Latency is the wall clock from sending a request to having
read its whole answer, on the client; p50 and p95 per request kind are reported with the error count.

The load generator and the server share this machine's cores, so the numbers are a floor of what a clinic's
server would do with the same cores to itself. The server, the client and the database only ever talk over
127.0.0.1. Nothing here imports Django: the server is a separate process, driven like a browser.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from facebalance.bench.common import load_average_text
from facebalance.errors import FacebalanceError

SECTION = "bench-clinic"
LOOPBACK = "127.0.0.1"
#: Grades recorded in the prepared consultation: frown lines, midface volume loss and a retruded chin give
#: a two-visit plan (toxin and cheek first, the chin after the cheek has settled).
GRADES = {"glabellar_lines": "2", "midface_volume_deficit": "3", "chin_retrusion": "2"}
INTAKE_FORM = {
    "goals": "I look tired and my chin feels weak",
    "history": "",
    "allergies": "",
    "medications": "",
    "conditions": "",
    "pregnancy": "no",
    "bddq_q1_concerned": "true",
    "bddq_q2_preoccupied": "false",
    "bddq_q3_distress": "2",
    "bddq_q4_social": "1",
    "bddq_q5_work_school": "1",
    "bddq_q6_avoidance": "1",
    "bddq_q7_impairment": "false",
    "concern-TOTAL_FORMS": "0",
    "concern-INITIAL_FORMS": "0",
    "concern-MIN_NUM_FORMS": "0",
    "concern-MAX_NUM_FORMS": "12",
    "prior-TOTAL_FORMS": "0",
    "prior-INITIAL_FORMS": "0",
    "prior-MIN_NUM_FORMS": "0",
    "prior-MAX_NUM_FORMS": "20",
}


class BenchError(FacebalanceError):
    code = "bench_clinic"


@dataclass(frozen=True)
class Target:
    """The prepared consultation's ids, which every virtual user reads."""

    patient: str
    session: str
    assessment: str
    plan: str
    refused_edit: dict[str, str]


@dataclass(frozen=True)
class Step:
    name: str
    method: str
    path: str
    data: dict[str, str] | None = None
    htmx: bool = False
    expect: frozenset[int] = frozenset({200})


@dataclass
class Samples:
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)

    def add(self, name: str, ms: float, ok: bool, detail: str) -> None:
        self.latencies_ms.setdefault(name, []).append(ms)
        if not ok:
            self.errors[name] = self.errors.get(name, 0) + 1
            if len(self.first_errors) < 5:
                self.first_errors.append(f"{name}: {detail}")


@dataclass(frozen=True)
class Row:
    name: str
    count: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    errors: int


@dataclass(frozen=True)
class DatabaseRun:
    """One database's measured run."""

    database: str
    version: str
    workers: int
    users: int
    rounds_done: int
    seconds: float
    rows: tuple[Row, ...]
    first_errors: tuple[str, ...]

    @property
    def requests(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rows)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation between the closest ranks.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([10.0], 95)
    (2.5, 10.0)
    """
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(samples: Samples, order: Sequence[str]) -> tuple[Row, ...]:
    rows = []
    for name in order:
        values = samples.latencies_ms.get(name, [])
        if values:
            rows.append(
                Row(
                    name,
                    len(values),
                    percentile(values, 50),
                    percentile(values, 95),
                    max(values),
                    samples.errors.get(name, 0),
                )
            )
    return tuple(rows)


# --- the server ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
        return port


def _server_env(data_dir: Path, port: int, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("FACEBALANCE_")}
    env.update(
        {
            "FACEBALANCE_DATA_DIR": str(data_dir),
            "FACEBALANCE_SECRET_KEY": secrets.token_urlsafe(50),
            "FACEBALANCE_AUDIT_KEY": secrets.token_urlsafe(50),
            # Plain http on the loopback interface: production cookies are Secure (HTTPS only).
            "FACEBALANCE_SECURE_COOKIES": "off",
            "FACEBALANCE_ALLOWED_HOSTS": LOOPBACK,
            "FACEBALANCE_BIND": f"{LOOPBACK}:{port}",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _seed(env: dict[str, str]) -> tuple[str, str]:
    """Migrate and seed the demo clinic; the provider's user name and the password it was given."""
    proc = subprocess.run(
        [sys.executable, "-m", "facebalance.clinic.manage", "facebalance_demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    match = re.search(r"provider\s+user: (\S+)\s+password: (\S+)", proc.stdout)
    if proc.returncode != 0 or match is None:
        raise BenchError(
            f"Seeding the demo clinic failed: {(proc.stderr or proc.stdout)[-1500:]}",
            hint="Run python -m facebalance.clinic.manage facebalance_demo to see why.",
        )
    return match.group(1), match.group(2)


def _start_server(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:facebalance.clinic.gunicorn_conf",
                "facebalance.clinic.wsgi",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


async def _wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise BenchError(f"The server stopped: {log.read_text('utf-8', 'replace')[-1500:]}")
            try:
                if (await client.get("/login/")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise BenchError(f"The server did not answer within {timeout_s:g} s.", hint=f"See {log}.")


# --- the clients -----------------------------------------------------------------------------------------


def _csrf(client: Any) -> str:
    return str(client.cookies.get("csrftoken", ""))


async def _login(client: Any, user: str, password: str) -> None:
    await client.get("/login/")
    response = await client.post(
        "/login/", data={"username": user, "password": password, "csrfmiddlewaretoken": _csrf(client)}
    )
    if response.status_code != 302:
        raise BenchError(f"Login as {user} failed with HTTP {response.status_code}.")


def _id_from(location: str, kind: str) -> str:
    match = re.search(rf"/{kind}/([0-9a-f-]{{36}})/", location)
    if match is None:
        raise BenchError(f"Expected a redirect to /{kind}/<id>/, got {location!r}.")
    return match.group(1)


async def _assessed(c: Any, run: str, *, timeout_s: float = 300.0) -> str:
    """The assessment of a queued run: its progress page is polled until it redirects to the assessment (the whole
    session is assessed by the server's background worker)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        r = await c.get(f"/assessment-runs/{run}/")
        if r.status_code == 302:
            return _id_from(r.headers.get("location", ""), "assessments")
        if "could not be assessed" in r.text:
            raise BenchError("The session could not be assessed.")
        await asyncio.sleep(0.5)
    raise BenchError(f"The session's assessment did not finish within {timeout_s:g} s.")


async def prepare(base: str, user: str, password: str) -> Target:
    """One consultation over HTTP, as a provider does it: intake, analysis, review, grades, plan."""
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=120) as c:
        await _login(c, user, password)
        patient = next(p["id"] for p in (await c.get("/api/patients")).json() if p["given_name"] == "Sample")
        form = {**INTAKE_FORM, "csrfmiddlewaretoken": _csrf(c)}
        if (await c.post(f"/patients/{patient}/intake/new/", data=form)).status_code != 302:
            raise BenchError("The intake was not saved.")
        session = (await c.get(f"/api/patients/{patient}/sessions")).json()[-1]["id"]
        r = await c.post(f"/sessions/{session}/assess/", data={"csrfmiddlewaretoken": _csrf(c)})
        assessment = await _assessed(c, _id_from(r.headers.get("location", ""), "assessment-runs"))
        headers = {"X-CSRFToken": _csrf(c)}
        doc = (await c.get(f"/api/assessments/{assessment}")).json()
        for finding in [*doc["analysis"]["findings"], *doc["session_findings"], *doc["dynamic_findings"]]:
            await c.post(
                f"/api/assessments/{assessment}/findings/{finding['id']}/review",
                json={"decision": "confirm"},
                headers=headers,
            )
        grades = {f"grade_{k}": v for k, v in GRADES.items()}
        await c.post(f"/assessments/{assessment}/grades/", data={**grades, "csrfmiddlewaretoken": _csrf(c)})
        await c.post(f"/assessments/{assessment}/confirm/", data={"csrfmiddlewaretoken": _csrf(c)})
        r = await c.post(f"/assessments/{assessment}/plan/", data={"csrfmiddlewaretoken": _csrf(c)})
        plan = _id_from(r.headers.get("location", ""), "plans")
        items = {i["key"]: i for i in (await c.get(f"/api/plans/{plan}")).json()["document"]["items"]}
    if "ha_chin" in items and items["ha_chin"]["visit"] > 0:
        # Refused by "midface before lower face": the whole edit check runs, nothing changes.
        edit = {"kind": "move", "key": "ha_chin", "visit": "0"}
    else:
        key = next(iter(items))
        edit = {"kind": "dose", "key": key, "dose_low": "9999", "dose_high": "9999"}
    return Target(patient, session, assessment, plan, edit)


def steps(t: Target) -> tuple[Step, ...]:
    """The requests of one round: the main pages, one refused plan edit, and API reads."""
    return (
        Step("patients list", "GET", "/patients/"),
        Step("patient search (htmx)", "POST", "/patients/", {"q": "Sample"}, htmx=True),
        Step("patient chart", "GET", f"/patients/{t.patient}/"),
        Step("photo session", "GET", f"/sessions/{t.session}/"),
        Step("assessment", "GET", f"/assessments/{t.assessment}/"),
        Step("plan (with edit choices)", "GET", f"/plans/{t.plan}/"),
        Step("plan edit, refused (htmx)", "POST", f"/plans/{t.plan}/edit/", t.refused_edit, htmx=True),
        Step("API GET /api/patients", "GET", "/api/patients"),
        Step("API GET /api/assessments/{id}", "GET", f"/api/assessments/{t.assessment}"),
        Step("API GET /api/plans/{id}", "GET", f"/api/plans/{t.plan}"),
    )


LOGIN = "login (Argon2 password check)"


async def _user(
    base: str,
    user: str,
    password: str,
    round_steps: Sequence[Step],
    rounds: int,
    max_seconds: float,
    budget: list[int],
    samples: Samples,
    done: list[int],
    logged_in: asyncio.Barrier | None = None,
    started: list[float] | None = None,
) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=120) as c:
        await c.get("/login/")
        start = time.perf_counter()
        r = await c.post("/login/", data={"username": user, "password": password, "csrfmiddlewaretoken": _csrf(c)})
        samples.add(LOGIN, (time.perf_counter() - start) * 1000, r.status_code == 302, f"HTTP {r.status_code}")
        if logged_in is not None:
            # Every user logs in first, then all start their rounds together: the Argon2 checks of 20
            # simultaneous logins (slow on purpose) are measured as the login, not inside the pages after it.
            await logged_in.wait()
        if started is not None and not started:
            started.append(time.perf_counter())
        deadline = time.monotonic() + max_seconds
        for _ in range(rounds):
            if time.monotonic() > deadline or budget[0] < len(round_steps):
                return
            budget[0] -= len(round_steps)
            for step in round_steps:
                headers = {"X-CSRFToken": _csrf(c)} if step.method == "POST" else {}
                if step.htmx:
                    headers["HX-Request"] = "true"
                data = None if step.data is None else {**step.data, "csrfmiddlewaretoken": _csrf(c)}
                start = time.perf_counter()
                try:
                    r = await c.request(step.method, step.path, data=data, headers=headers)
                    ok, detail = r.status_code in step.expect, f"HTTP {r.status_code}"
                except httpx.HTTPError as exc:
                    ok, detail = False, f"{type(exc).__name__}: {exc}"
                samples.add(step.name, (time.perf_counter() - start) * 1000, ok, detail)
            done[0] += 1


async def _run_load(
    base: str,
    user: str,
    password: str,
    target: Target,
    *,
    users: int,
    rounds: int,
    max_requests: int,
    max_seconds: float,
) -> tuple[Samples, int, float]:
    round_steps = steps(target)
    samples = Samples()
    # One unmeasured round first: every worker process loads its templates and opens its connections.
    await _user(base, user, password, round_steps, 1, max_seconds, [len(round_steps) * 2], Samples(), [0])
    budget, done, started = [max_requests], [0], []
    logged_in = asyncio.Barrier(users)
    await asyncio.gather(
        *(
            _user(base, user, password, round_steps, rounds, max_seconds, budget, samples, done, logged_in, started)
            for _ in range(users)
        )
    )
    return samples, done[0], time.perf_counter() - started[0]


def _database_version(env: dict[str, str], database_url: str | None) -> str:
    """``SQLite 3.40.1`` or ``PostgreSQL 15.18``, as the server's own settings connect."""
    code = (
        "import django; django.setup(); from django.db import connection as c; c.ensure_connection(); "
        "print(c.vendor, c.pg_version if c.vendor == 'postgresql' else __import__('sqlite3').sqlite_version)"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "facebalance.clinic.settings"}
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    words = proc.stdout.split()
    if len(words) != 2:
        return "PostgreSQL" if database_url else "SQLite"
    if words[0] == "postgresql":
        n = int(words[1])
        return f"PostgreSQL {n // 10000}.{n % 10000}"
    return f"SQLite {words[1]}"


def measure_database(
    database_url: str | None,
    *,
    users: int,
    rounds: int,
    max_requests: int,
    max_seconds: float,
    console: Console | None = None,
) -> DatabaseRun:
    """Start a server on the database (SQLite in a fresh folder when ``database_url`` is None) and load it."""
    if database_url and not re.match(r"^postgres(ql)?://[^@]*@(127\.0\.0\.1|localhost)(:\d+)?/", database_url):
        raise BenchError(
            "bench-clinic runs on the loopback interface only.",
            hint="Give a postgres://user:pass@127.0.0.1:PORT/db URL (e.g. from .ci/postgres.sh).",
        )
    with tempfile.TemporaryDirectory(prefix="facebalance-bench-clinic-") as tmp:
        port = _free_port()
        env = _server_env(Path(tmp) / "data", port, database_url)
        if console is not None:
            console.print(f"seeding the demo clinic ({'PostgreSQL' if database_url else 'SQLite'})")
        user, password = _seed(env)
        version = _database_version(env, database_url)
        log = Path(tmp) / "gunicorn.log"
        proc = _start_server(env, log)
        base = f"http://{LOOPBACK}:{port}"
        try:
            asyncio.run(_wait_ready(base, proc, log))
            target = asyncio.run(prepare(base, user, password))
            if console is not None:
                console.print(f"{users} users x {rounds} rounds against {base} ({version})")
            samples, rounds_done, seconds = asyncio.run(
                _run_load(
                    base,
                    user,
                    password,
                    target,
                    users=users,
                    rounds=rounds,
                    max_requests=max_requests,
                    max_seconds=max_seconds,
                )
            )
        finally:
            _stop_server(proc)
    order = [LOGIN, *(s.name for s in steps(target))]
    workers = max(2, os.cpu_count() or 1)  # gunicorn_conf.py: one sync worker per core, at least two
    return DatabaseRun(
        "PostgreSQL" if database_url else "SQLite",
        version,
        workers,
        users,
        rounds_done,
        seconds,
        summarise(samples, order),
        tuple(samples.first_errors),
    )


# --- the report ------------------------------------------------------------------------------------------


def render_section(
    runs: Sequence[DatabaseRun],
    *,
    command: str,
    load_average: str,
    users: int,
    rounds: int,
    max_requests: int,
    max_seconds: float,
    now: datetime | None = None,
) -> str:
    """The markdown of the ``bench-clinic`` section (without its markers)."""
    from facebalance.evaluation.common import run_header

    lines = [
        "## Clinic web app under load, `facebalance bench-clinic`",
        "",
        run_header(command, now=now or datetime.now(UTC)),
        f"- load average before the run (1, 5, 15 min): {load_average}",
        "",
        f"For each database a fresh server runs on 127.0.0.1 as in production (gunicorn with "
        f"`facebalance.clinic.gunicorn_conf`: sync workers, one per core), with the demo clinic seeded and one "
        "consultation prepared over HTTP (intake, frontal analysis of London 001, every finding confirmed, "
        f"grades, plan). Then {users} virtual users (asyncio + httpx on the same machine), each logged in with "
        f"its own session and connection and without think time, run up to {rounds} rounds of the requests "
        f"below, bounded at {max_requests:,} requests and {max_seconds:g} s per database, after one unmeasured "
        "warm-up round. Latency is from sending the request to having read the whole answer, on the client. "
        "Every page and API read also appends a row to the hash-chained audit log (a serialised write: the "
        "SQLite write lock, a PostgreSQL advisory lock). The refused plan edit runs the whole edit check (the "
        "candidates shaped again, every gate, a CP-SAT date solve) and changes nothing. The load generator "
        "shares the machine's cores with the server, so these are a floor of what the same server does with "
        "the cores to itself. The users log in together first (Argon2 is slow on purpose: the login row is that "
        "burst) and start their rounds once all are logged in; the seconds and requests/s count from then.",
        "",
    ]
    for run in runs:
        lines += [
            f"### {run.version}",
            "",
            f"{run.workers} gunicorn workers, {run.users} users, {run.rounds_done} rounds done, {run.requests:,} "
            f"requests in {run.seconds:.1f} s ({run.requests / run.seconds:.0f} requests/s), {run.errors} "
            "errors.",
            "",
            "| request | n | p50 ms | p95 ms | max ms | errors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {r.name} | {r.count} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | {r.max_ms:.0f} | {r.errors} |"
            for r in run.rows
        ]
        if run.first_errors:
            lines += ["", "First errors: " + "; ".join(run.first_errors)]
        lines.append("")
    return "\n".join(lines).rstrip()


def render_table(run: DatabaseRun) -> Table:
    table = Table(
        "request",
        "n",
        "p50 ms",
        "p95 ms",
        "max ms",
        "errors",
        title=f"{run.version}: {run.requests} requests in {run.seconds:.1f} s",
    )
    for r in run.rows:
        table.add_row(r.name, str(r.count), f"{r.p50_ms:.0f}", f"{r.p95_ms:.0f}", f"{r.max_ms:.0f}", str(r.errors))
    return table


def run_bench_clinic(
    *,
    database_urls: Sequence[str],
    sqlite: bool,
    users: int,
    rounds: int,
    max_requests: int,
    max_seconds: float,
    write: Path | None,
    console: Console,
) -> list[DatabaseRun]:
    """Measure each database, print the tables and (with ``write``) update the section."""
    try:
        import httpx  # noqa: F401
    except ImportError:
        raise BenchError("bench-clinic needs httpx.", hint="pip install httpx (or the dev extra).") from None
    load_average = load_average_text()
    runs = []
    for url in ([None] if sqlite else []) + list(database_urls):
        run = measure_database(
            url, users=users, rounds=rounds, max_requests=max_requests, max_seconds=max_seconds, console=console
        )
        console.print(render_table(run))
        runs.append(run)
    if write is not None and runs:
        from facebalance.evaluation.common import write_section

        parts = ["facebalance bench-clinic", f"--users {users}", f"--rounds {rounds}"]
        parts += ["--database-url postgres://…@127.0.0.1:PORT/facebalance"] * len(database_urls)
        parts += [] if sqlite else ["--no-sqlite"]
        parts += [f"--write {write}"]
        write_section(
            write,
            SECTION,
            render_section(
                runs,
                command=" ".join(parts),
                load_average=load_average,
                users=users,
                rounds=rounds,
                max_requests=max_requests,
                max_seconds=max_seconds,
            ),
        )
        console.print(f"wrote the {SECTION} section of {write}")
    return runs
