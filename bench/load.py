"""Load generators: signed slash commands over kept-alive HTTP connections, closed loop
(:func:`run`: each client sends its next command when the last is answered) or open loop
(:func:`run_open`: requests at a fixed rate, whatever the answers).

It runs in a process of its own (see :func:`pool`), so the clients' threads do not compete
for the GIL with the Slack stand-in that the server under test is calling back. Each client
thread keeps one connection and sends its next command as soon as the previous answer is in.
Only the standard library and ``bot.dev.standin`` (the standard library and slack_sdk's Block Kit
models) are imported.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

from bot.dev.standin import sign_request, slash_command_body


@dataclass(frozen=True)
class Load:
    """What to send: `texts` cycle over the requests (`{n}` is the request number, `{k}` a
    small number derived from it, `{run}` this load's `run`, so names differ between loads);
    client i speaks as users[i % len(users)]."""

    port: int
    secret: str
    command: str
    texts: tuple[str, ...]
    users: tuple[str, ...]
    clients: int
    seconds: float = 0.0
    requests: int = 0
    warmup: float = 0.0
    channel: str = "C1"
    response_url: str = ""
    expect: str = ""
    run: str = ""


def _trigger_id(n: int) -> str:
    # Unique, as Slack's are: two requests with the same body in the same second would have
    # the same signature, and the guard refuses the second as a replay.
    return f"{n}.{time.time_ns()}.{threading.get_ident()}"


@dataclass
class LoadResult:
    """Latencies (seconds) of the measured requests, the time they took, and failures."""

    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: int = 0
    first_error: str = ""

    @property
    def per_second(self) -> float:
        """Measured requests per second."""
        return len(self.latencies) / self.elapsed if self.elapsed > 0 else 0.0


class _Client:
    """One kept-alive connection; reconnects once when the server has closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.connection.request("POST", "/slack/events", body=body, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


def run(load: Load) -> LoadResult:
    """Send the load; time-boxed (`seconds` after `warmup`) or `requests` in all."""
    result = LoadResult()
    lock = threading.Lock()
    numbers = itertools.count()
    barrier = threading.Barrier(load.clients + 1)
    window: list[float] = [0.0, 0.0]  # measured from, until (perf_counter)

    def next_number() -> int | None:
        with lock:
            n = next(numbers)
        return n if not load.requests or n < load.requests else None

    def client(index: int) -> None:
        user = load.users[index % len(load.users)]
        conn = _Client(load.port)
        mine: list[float] = []
        errors: list[str] = []
        barrier.wait()
        try:
            while True:
                now = time.perf_counter()
                if load.seconds and now >= window[1]:
                    break
                n = next_number()
                if n is None:
                    break
                text = load.texts[n % len(load.texts)].format(n=n, k=n % 90 + 1, run=load.run)
                body = slash_command_body(
                    load.command,
                    text,
                    user_id=user,
                    channel_id=load.channel,
                    response_url=load.response_url,
                    trigger_id=_trigger_id(n),
                )
                headers = {"Content-Type": "application/x-www-form-urlencoded"}
                headers.update(sign_request(load.secret, body, int(time.time())))
                started = time.perf_counter()
                try:
                    status, data = conn.post(body.encode(), headers)
                except OSError as error:
                    errors.append(f"{type(error).__name__}: {error}")
                    continue
                took = time.perf_counter() - started
                if status != 200 or (load.expect and load.expect.encode() not in data):
                    errors.append(f"HTTP {status}: {data[:200]!r}")
                if started >= window[0]:
                    mine.append(took)
        finally:
            conn.close()
            with lock:
                result.latencies.extend(mine)
                result.errors += len(errors)
                if errors and not result.first_error:
                    result.first_error = errors[0]

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(load.clients)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    window[0] = start + load.warmup if load.seconds else start
    window[1] = window[0] + load.seconds if load.seconds else float("inf")
    barrier.wait()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - window[0]
    return result


def pool() -> ProcessPoolExecutor:
    """A one-process pool to run loads in (spawned: no threads inherited by a fork)."""
    return ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))


# --------------------------------------------------------------------------- open loop


@dataclass(frozen=True)
class OpenLoad:
    """Requests at a fixed rate, whatever the answers: request n is due at n / rate seconds
    and is sent then by whichever sender thread is free. `texts` cycle over the requests
    (`{n}` and `{k}` as in Load), `expects[i]` is what the answer to texts[i] must contain."""

    port: int
    secret: str
    command: str
    texts: tuple[str, ...]
    expects: tuple[str, ...]
    users: tuple[str, ...]
    rate: float
    seconds: float
    warmup: float = 0.0
    channel: str = "C1"
    run: str = ""
    # Enough that a slow answer never holds up a send: at 100 a second, 64 senders cover
    # answers of up to 640 ms before a send would wait (it is then late, and its latency,
    # counted from when it was due, says so).
    senders: int = 64


@dataclass
class OpenResult(LoadResult):
    """LoadResult, plus how late the sends were and the answers per text."""

    due: int = 0
    most_late: float = 0.0
    answered: dict[int, int] = field(default_factory=dict)  # text index -> good answers
    by_text: dict[int, list[float]] = field(default_factory=dict)  # text index -> latencies


def run_open(load: OpenLoad) -> OpenResult:
    """Send `rate` requests a second for `warmup` + `seconds`; latencies of those due after the
    warm-up, each from when it was due (so a server that falls behind is charged the queue)."""
    result = OpenResult()
    lock = threading.Lock()
    local = threading.local()
    total = int(load.rate * (load.warmup + load.seconds))
    start = time.perf_counter() + 0.2
    measured_from = start + load.warmup

    def send(n: int, due: float) -> None:
        late = time.perf_counter() - due
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = _Client(load.port)
            with lock:
                clients.append(client)
        index = n % len(load.texts)
        text = load.texts[index].format(n=n, k=n % 90 + 1, run=load.run)
        body = slash_command_body(
            load.command,
            text,
            user_id=load.users[n % len(load.users)],
            channel_id=load.channel,
            response_url="",
            trigger_id=_trigger_id(n),
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        headers.update(sign_request(load.secret, body, int(time.time())))
        error = ""
        try:
            status, data = client.post(body.encode(), headers)
            expect = load.expects[index].encode()
            if status != 200 or (expect and expect not in data):
                error = f"HTTP {status}: {data[:200]!r}"
        except OSError as failure:
            error = f"{type(failure).__name__}: {failure}"
        took = time.perf_counter() - due
        with lock:
            result.most_late = max(result.most_late, late)
            if due < measured_from:
                return
            result.due += 1
            if error:
                result.errors += 1
                result.first_error = result.first_error or error
                return
            result.latencies.append(took)
            result.answered[index] = result.answered.get(index, 0) + 1
            result.by_text.setdefault(index, []).append(took)

    clients: list[_Client] = []
    with ThreadPoolExecutor(max_workers=load.senders, thread_name_prefix="open-loop") as senders:
        for n in range(total):
            due = start + n / load.rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            senders.submit(send, n, due)
    for client in clients:
        client.close()
    result.elapsed = load.seconds
    return result
