"""Does `POST /api/auth/code` tell by its timing whether a number is an owner's?

    .venv/bin/python bench/enumeration_timing.py [--requests 200] [--permutations 10000]

Runs the API in-process (WSGI, the whole request path: routing, origin check, JSON,
limits, DynamoDB) against DynamoDB Local, with 100 registered owners. Alternates
requests for known and unknown numbers (each number once, each from its own client
address so no limit is reached) and times each one. Two runs side by side:

- ``async`` (the portal now): the request writes a delivery task and dispatches it; the
  task (look the owner up, make the code, send) runs after the request, as a Zappa async
  invoke or the dev server's task thread would, outside the timed part;
- ``inline`` (the control, the shape before the fix): the task runs on the request path,
  so a known number costs an owner look-up, a code write and an SMS hand-over more.

For each: both medians, the difference, a two-sided permutation test on the difference
of medians (target p > 0.05 for ``async``), and how often one request classifies a number
correctly by a threshold between the medians (50% is a coin toss). The control shows the
test can see a leak of this size. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from functions.app import create_app  # noqa: E402
from portal.localdev.dynamodb_local import DynamoDBLocal  # noqa: E402
from portal.localdev.ports import free_port  # noqa: E402
from portal.settings import Settings  # noqa: E402
from portal.store.bootstrap import ensure_tables  # noqa: E402
from portal.tasks.dispatch import InlineDispatcher  # noqa: E402
from portal.wiring import Clients, Services  # noqa: E402
from tests.factories import RecordingSender, make_owner  # noqa: E402

WARM_UP = 10


class Deferred:
    """Collects dispatched tasks; the bench runs them after the timed request."""

    def __init__(self) -> None:
        self.pending: list[str] = []

    def notify(self, task_id: str) -> None:
        self.pending.append(task_id)


def numbers(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:08d}" for i in range(n)]


def permutation_p(a: Sequence[float], b: Sequence[float], rounds: int, rng: random.Random) -> float:
    observed = abs(statistics.median(a) - statistics.median(b))
    pooled, n = list(a) + list(b), len(a)
    hits = 0
    for _ in range(rounds):
        rng.shuffle(pooled)
        if abs(statistics.median(pooled[:n]) - statistics.median(pooled[n:])) >= observed:
            hits += 1
    return (hits + 1) / (rounds + 1)


def classified(known: Sequence[float], unknown: Sequence[float]) -> float:
    """Share of single requests a threshold between the medians puts on the right side."""
    mk, mu = statistics.median(known), statistics.median(unknown)
    cut, slower_is_known = (mk + mu) / 2, mk > mu
    right = sum((t > cut) == slower_is_known for t in known)
    right += sum((t > cut) != slower_is_known for t in unknown)
    return right / (len(known) + len(unknown))


def run(mode: str, settings: Settings, ddb: object, requests: int, offset: int,
        rng: random.Random) -> tuple[list[float], list[float]]:  # fmt: skip
    deferred = Deferred()
    services = Services(settings, Clients(settings, dynamodb=ddb), sender=RecordingSender(),
                        dispatcher=deferred)  # fmt: skip
    if mode == "inline":
        services = Services(settings, Clients(settings, dynamodb=ddb), sender=RecordingSender(),
                            dispatcher=InlineDispatcher(lambda: services.task_runner))  # fmt: skip
    client = create_app(settings, services).test_client()
    half = requests // 2
    known = numbers("138", offset + half)[offset:]
    unknown = numbers("139", offset + half)[offset:]
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for i in range(half):
        pair = [("known", known[i]), ("unknown", unknown[i])]
        rng.shuffle(pair)  # neither kind always goes first
        for label, phone in pair:
            n = offset * 2 + i * 2 + (label == "known")  # a client address per request
            address = f"10.0.{n // 250}.{n % 250 + 1}"
            start = time.perf_counter()
            answer = client.post("/api/auth/code", json={"phone": phone},
                                 headers={"Origin": settings.site_origin},
                                 environ_base={"REMOTE_ADDR": address})  # fmt: skip
            times[label].append(time.perf_counter() - start)
            assert answer.status_code == 200, answer.get_data(as_text=True)
            for task_id in deferred.pending:  # after the request: the async part
                services.task_runner.run(task_id)
            deferred.pending.clear()
    sent = services.sender
    assert isinstance(sent, RecordingSender) and len(sent.sent) == half, "every owner got a code"
    return times["known"], times["unknown"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="per mode, known + unknown")
    parser.add_argument("--permutations", type=int, default=10_000)
    args = parser.parse_args()
    half = args.requests // 2
    rng = random.Random(7)
    ddb_local = DynamoDBLocal(free_port(), data_dir=None).start()
    try:
        settings = Settings(stage="test", dynamodb_endpoint=ddb_local.endpoint,
                            table_prefix="bench-enum-")  # fmt: skip
        ddb = Clients(settings).dynamodb
        ensure_tables(ddb, settings.table_prefix)
        for phone in numbers("138", 2 * half + WARM_UP):  # each mode its own numbers
            make_owner(ddb, settings, phone, "业主", ("lanting", "1", f"1-{phone[-4:]}"))
        run("async", settings, ddb, WARM_UP, 2 * half, rng)  # warm up: imports, connections
        figures: dict[str, object] = {"requests_per_mode": half * 2}
        for offset, mode in ((0, "async"), (half, "inline")):
            known, unknown = run(mode, settings, ddb, half * 2, offset, rng)
            mk, mu = statistics.median(known) * 1000, statistics.median(unknown) * 1000
            p = permutation_p(known, unknown, args.permutations, rng)
            acc = classified(known, unknown)
            print(f"{mode:>6}: known median {mk:6.2f} ms, unknown {mu:6.2f} ms, "
                  f"difference {mk - mu:+6.2f} ms, permutation p = {p:.4f}, "
                  f"one request classifies {acc:.0%}")  # fmt: skip
            figures[mode] = {"known_median_ms": round(mk, 3), "unknown_median_ms": round(mu, 3),
                             "difference_ms": round(mk - mu, 3), "p_value": round(p, 4),
                             "classified": round(acc, 3)}  # fmt: skip
        target_met = figures["async"]["p_value"] > 0.05  # type: ignore[index]
        print(f"target p > 0.05 for async: {'met' if target_met else 'NOT met'}")
        figures["target_met"] = target_met
        print(json.dumps({"bench": "enumeration_timing", **figures}))
    finally:
        ddb_local.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
