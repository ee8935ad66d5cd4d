"""Two admins disabling each other at the same moment leave one (DynamoDB Local, threads)."""

from __future__ import annotations

import threading
from typing import Any

from portal.accounts.staff.model import StaffChanges
from portal.errors import Conflict
from portal.settings import Settings
from portal.store.bootstrap import ensure_tables
from tests.factories import FakeClock, make_staff, wired


def test_two_admins_disabling_each_other_at_once_leave_exactly_one_enabled(
    ddb: Any, settings: Settings
) -> None:
    for round_ in range(3):
        here = settings.with_(table_prefix=f"{settings.table_prefix}r{round_}-")
        ensure_tables(ddb, here.table_prefix)
        for name in ("admin.a", "admin.b"):
            make_staff(ddb, here, name, "admin")
        start = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def disable(actor: str, target: str, cfg: Settings = here,
                    start: threading.Barrier = start,
                    outcomes: dict[str, str] = outcomes) -> None:  # fmt: skip
            staff = wired(ddb, cfg, FakeClock(), with_estates=False).staff
            start.wait()
            try:
                staff.update(f"staff:{actor}", target, StaffChanges(disabled=True))
                outcomes[actor] = "ok"
            except Conflict as exc:
                outcomes[actor] = exc.code

        pairs = (("admin.a", "admin.b"), ("admin.b", "admin.a"))
        threads = [threading.Thread(target=disable, args=pair) for pair in pairs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcomes.values()) == ["last_admin", "ok"], outcomes
        repo = wired(ddb, here, with_estates=False).staff_repo
        accounts = [repo.get(name) for name in ("admin.a", "admin.b")]
        assert [a.disabled for a in accounts if a is not None].count(False) == 1
        assert repo.active_admins() == 1
