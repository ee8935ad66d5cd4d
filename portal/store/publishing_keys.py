"""Key shapes of staff publishing (notices, campaigns, newsletter issues written in the portal).

Kept apart from :mod:`portal.store.keys` only for length; same separator.

=========================================  ==============================  =====================
pattern                                    key                             notes
=========================================  ==============================  =====================
a document (its current head)              ``PUBDOCS#<kind>`` / ``<id>``   one partition a kind:
                                                                           the editor's list and
                                                                           the site's store source
a document's revisions, oldest first       ``PUBREV#<id>`` / ``<000001>``  append-only
an estate's publishing rules               ``PUBSET#<estate>`` / ``META``  approval required
the scheduled rebuild's last run           ``PUBCLOCK`` / ``META``         conditional on the run
the live site's publish lease (AWS)        ``PUBSITE`` / ``LEASE``         one publish at a time
=========================================  ==============================  =====================
"""

from __future__ import annotations

from portal.store.keys import META, SEP, Key


def documents(kind: str) -> str:
    return f"PUBDOCS{SEP}{kind}"


def document(kind: str, doc_id: str) -> Key:
    return {"pk": documents(kind), "sk": doc_id}


def revisions(doc_id: str) -> str:
    return f"PUBREV{SEP}{doc_id}"


def revision(doc_id: str, version: int) -> Key:
    return {"pk": revisions(doc_id), "sk": f"{version:06d}"}


def estate_rules(estate: str) -> Key:
    return {"pk": f"PUBSET{SEP}{estate}", "sk": META}


def site_clock() -> Key:
    return {"pk": "PUBCLOCK", "sk": META}


def site_lease() -> Key:
    return {"pk": "PUBSITE", "sk": "LEASE"}
