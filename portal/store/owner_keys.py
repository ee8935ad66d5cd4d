"""Key shapes of what owners are asked, told and greeted (the rows under "owners' notices,
commitments, greetings" in the access-pattern table of :mod:`portal.store.keys`, which stays
the one list of them all): critical notices and their acknowledgements, the published KPI
snapshots, message preferences, the once-per-occasion markers, community events and
their sign-ups.

Kept apart only for length; they use the same separator and partitions.
"""

from __future__ import annotations

from portal.store.keys import SEP, Key


def critical_notices(estate: str) -> str:
    """An estate's notices that ask for acknowledgement (已知晓)."""
    return f"ACKNOTICE{SEP}{estate}"


def critical_notice(estate: str, notice: str) -> Key:
    return {"pk": critical_notices(estate), "sk": notice}


def acknowledgements(estate: str, notice: str) -> str:
    """The households that acknowledged one notice: one item per unit, whoever in it did."""
    return f"ACK{SEP}{estate}{SEP}{notice}"


def acknowledgement(estate: str, notice: str, building: str, room: str) -> Key:
    return {"pk": acknowledgements(estate, notice), "sk": f"{building}{SEP}{room}"}


def unit_of_acknowledgement(sk: str) -> tuple[str, str]:
    building, _, room = sk.partition(SEP)
    return building, room


def kpi_snapshots(estate: str) -> str:
    """An estate's monthly KPI snapshots (prepared, approved = published)."""
    return f"KPIPUB{SEP}{estate}"


def kpi_snapshot(estate: str, month: str) -> Key:
    return {"pk": kpi_snapshots(estate), "sk": month}


def message_preferences(owner_id: str) -> Key:
    """What an owner agreed to receive (greetings, reminders): theirs alone to change."""
    return {"pk": f"OWNER{SEP}{owner_id}", "sk": "MSGPREFS"}


def occasion_sent(owner_id: str, occasion: str) -> Key:
    """One greeting or reminder per owner per occasion (``festival:spring:2027`` …)."""
    return {"pk": f"GREETED{SEP}{owner_id}", "sk": occasion}


def community_events(estate: str) -> str:
    return f"EVENT{SEP}{estate}"


def community_event(estate: str, event: str) -> Key:
    return {"pk": community_events(estate), "sk": event}


def event_signups(estate: str, event: str) -> str:
    return f"EVSIGNUP{SEP}{estate}{SEP}{event}"


def event_signup(estate: str, event: str, owner_id: str) -> Key:
    return {"pk": event_signups(estate, event), "sk": owner_id}
