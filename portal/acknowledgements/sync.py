"""The notices of the site's content that ask for 已知晓, registered for the API.

The static site is built from content files; the API learns which of them ask for
acknowledgement from :func:`critical_notices` (the site model's notices flagged
``acknowledge: true``, one record per estate), written by :func:`register_all` when the
estates are synced (``portal seed``, ``portal dev``) or by ``portal acks sync``. Staff
publishing registers its own notices the same way (:meth:`AcknowledgementRepository.register`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from portal.acknowledgements.model import CriticalNotice
from portal.acknowledgements.repository import AcknowledgementRepository
from portal.clock import iso
from portal.estates.source import load_company
from portal.site import sources
from portal.site.content import assemble
from portal.site.model import Notice, SiteModel


def critical_notices(notices: Iterable[Notice]) -> list[CriticalNotice]:
    """One :class:`CriticalNotice` per estate of every notice that asks for acknowledgement."""
    return [
        CriticalNotice(estate=estate, notice=n.slug, title_zh=n.title.zh,
                       title_en=n.title.en or "", category=n.category, buildings=n.buildings,
                       published=iso(n.published), expires=iso(n.expires) if n.expires else "")
        for n in notices
        if n.acknowledge
        for estate in n.estates
    ]  # fmt: skip


def content_model(content_dir: Path, now: datetime, sections: tuple[str, ...] = ("notices/",)
                  ) -> SiteModel | None:  # fmt: skip
    """The site model of a content folder's ``sections`` as the builder reads them (files with
    errors left out); ``None`` without a company."""
    company, _ = load_company(content_dir)
    if company is None:
        return None
    parsed = {}
    for rel, sig in sources.scan(content_dir).items():
        if not rel.startswith(sections):
            continue
        digest, value, errors = sources.parse_source(rel, (content_dir / rel).read_bytes())
        parsed[rel] = sources.Parsed(sig, digest, value, tuple(errors))
    model, _ = assemble(company, parsed, now, content_dir)
    return model


def content_notices(content_dir: Path, now: datetime) -> list[Notice]:
    model = content_model(content_dir, now)
    return [] if model is None else model.notices


def register_all(repo: AcknowledgementRepository, content_dir: Path, now: datetime) -> int:
    """Register every critical notice of the content folder; returns how many (idempotent)."""
    found = critical_notices(content_notices(content_dir, now))
    for n in found:
        repo.register(n)
    return len(found)
