from __future__ import annotations

from typing import Any

from portal import ROOT
from portal.accounts.owners import OwnerRepository
from portal.accounts.passwords import verify
from portal.accounts.staff.repository import StaffRepository
from portal.localdev.demo import DEMO_PASSWORD, DEMO_STAFF, seed_demo, seed_demo_people
from portal.settings import Settings
from portal.store.table import Table
from tests.factories import wired


def test_demo_people_can_sign_in_and_seeding_twice_adds_nothing(
    ddb: Any, settings: Settings
) -> None:
    content = ROOT / "site" / "content"
    seed_demo(wired(ddb, settings, with_estates=False), content)
    first = seed_demo_people(wired(ddb, settings), content)
    second = seed_demo_people(wired(ddb, settings), content)
    assert first[0] == 6 and first[1] == len(DEMO_STAFF) and second[1] == 0
    owner = OwnerRepository(Table(ddb, settings.table_name("main")), settings.phone_hash_key).by_phone(
        "13800138000"
    )
    assert owner is not None and len(owner.units) == 2
    admin = StaffRepository(Table(ddb, settings.table_name("main"))).get("admin")
    assert admin is not None and verify(admin.password_hash, DEMO_PASSWORD).ok
