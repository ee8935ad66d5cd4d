"""What an owner (or finance) sees of a unit's bills: unpaid, paid, the history of a year.

One query of the unit's bills (a unit has a few dozen a year). Unpaid bills are
listed whatever their year, oldest first, each with its due date and whether it
is late (欠费: past due in the estate's local day); paid bills and the history
are per year. Amounts stay in fen here; :func:`portal.billing.money.yuan` shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from portal.accounts import policy
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.billing.bills import BillRepository
from portal.billing.model import Bill, UnitKey
from portal.clock import Clock, local_day, zone
from portal.errors import Forbidden, InvalidInput, NotFound


@dataclass(frozen=True)
class Statement:
    unit: UnitKey
    year: str
    unpaid: tuple[Bill, ...]
    """Every bill with something outstanding (any year), oldest first."""
    paid: tuple[Bill, ...]
    """Fully paid bills of ``year``."""
    history: tuple[Bill, ...]
    """Every bill of ``year``."""
    years: tuple[str, ...]
    """The years that have bills, newest first."""
    today: date

    @property
    def outstanding_fen(self) -> int:
        return sum(b.outstanding_fen for b in self.unpaid)

    def late(self, bill: Bill) -> bool:
        return bill.outstanding_fen > 0 and bill.due_date < self.today.isoformat()


class Statements:
    def __init__(self, bills: BillRepository, clock: Clock, time_zone: str) -> None:
        self.bills, self.clock, self.tz = bills, clock, time_zone

    def of_unit(self, identity: Identity, unit: UnitKey, year: str = "") -> Statement:
        """A unit's statement; an owner's other units and out-of-scope staff get 404."""
        if not policy.can(identity, "bill.read", Target(unit.estate, unit.building, unit.room)):
            if policy.can(identity, "bill.read"):  # the role, not the scope: hide the unit
                raise NotFound("unit_not_found")
            raise Forbidden()
        return self.build(unit, self.bills.of_unit(unit), year)

    def mine(self, identity: Identity, year: str = "") -> list[Statement]:
        """The statements of every unit of a signed-in owner."""
        if not identity.is_owner:
            raise Forbidden()
        return [self.build(UnitKey(u.estate, u.building, u.room),
                           self.bills.of_unit(UnitKey(u.estate, u.building, u.room)), year)
                for u in identity.units]  # fmt: skip

    def build(self, unit: UnitKey, bills: Sequence[Bill], year: str = "") -> Statement:
        today = local_day(self.clock(), zone(self.tz))
        year = year or str(today.year)
        if not (len(year) == 4 and year.isdigit()):
            raise InvalidInput("bill_year_invalid")
        of_year = tuple(b for b in bills if b.period.startswith(f"{year}-"))
        return Statement(
            unit=unit, year=year,
            unpaid=tuple(b for b in bills if b.outstanding_fen > 0),
            paid=tuple(b for b in of_year if b.outstanding_fen <= 0),
            history=of_year,
            years=tuple(sorted({b.period[:4] for b in bills}, reverse=True)),
            today=today,
        )  # fmt: skip
