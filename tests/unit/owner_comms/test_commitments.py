"""The monthly KPI results made public, on a fake clock: the daily job prepares last month's
snapshot per estate from the 3rd (once), a supervisor approves it over HTTP with a sentence
for each missed target, and only approved months of the last 12 reach the commitments page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from portal import ROOT
from portal.accounts.identity import Identity
from portal.commitments.published import dump, load
from portal.site.build import build_site
from portal.wiring import Services
from tests.factories import FakeClock
from tests.support.auth import AuthActions

APPROVAL = "/api/commitments/lanting/2026-11/approval"
WHY = "本月新交付的3栋业主档案尚未补录完整，客服部已安排两名管家逐户上门补录，12月20日前完成。"


def _at(clock: FakeClock, local: str) -> None:
    clock.now = datetime.fromisoformat(local + "+08:00").astimezone(UTC)


def test_the_job_prepares_last_months_results_from_the_3rd_once_per_estate(
    services: Services, clock: FakeClock
) -> None:
    _at(clock, "2026-12-02T23:00")
    assert services.prepare_results() == {}
    _at(clock, "2026-12-03T02:00")
    slugs = [e.slug for e in services.estates.company().estates]
    assert services.prepare_results() == dict.fromkeys(slugs, "prepared")
    first = services.table.get({"pk": "KPIPUB#lanting", "sk": "2026-11"})
    _at(clock, "2026-12-04T02:00")
    assert services.prepare_results() == dict.fromkeys(slugs, "already")
    assert services.table.get({"pk": "KPIPUB#lanting", "sk": "2026-11"}) == first


def test_a_supervisor_approves_with_a_sentence_per_missed_target_and_the_page_shows_it(
    auth: AuthActions, services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    _at(clock, "2026-12-03T09:00")
    services.prepare_results()
    supervisor = auth.staff("zhou.super", "supervisor", estates=("lanting",))
    listed = supervisor.get("/api/commitments", query_string={"estate": "lanting"})
    assert listed.status_code == 200, listed.json
    (month,) = listed.json["items"]
    assert (month["month"], month["state"], month["due_by"]) == ("2026-11", "prepared", "2026-12-05")
    assert "archive_completeness" in month["missed"]  # no profile is complete in the demo
    assert services.commitments.published() == []

    bare = supervisor.post(APPROVAL, {"explanations": []})
    assert bare.status_code == 409 and bare.json["error"]["code"] == "kpi_explanation_missing"
    body = {"explanations": [{"kpi": k, "text": WHY} for k in month["missed"]]}
    butler = auth.staff("li.butler", "butler", estates=("lanting",))
    assert butler.post(APPROVAL, body).status_code == 403
    approved = supervisor.post(APPROVAL, body)
    assert approved.status_code == 200, approved.json
    assert (approved.json["state"], approved.json["approved_by"]) == ("approved", "staff:zhou.super")
    assert supervisor.post(APPROVAL, body).json == approved.json  # the same approval again
    other = {"explanations": [{"kpi": k, "text": "另一种说法"} for k in month["missed"]]}
    assert supervisor.post(APPROVAL, other).status_code == 409
    audit = [e for e in services.audit.day("2026-12-03") if e["action"] == "kpi.approved"]
    assert [e["actor"] for e in audit] == ["staff:zhou.super"]

    results = tmp_path / "results.json"
    results.write_text(dump(services.commitments.published()), encoding="utf-8")
    assert [(s.estate, s.month) for s in load(results)] == [("lanting", "2026-11")]
    out = tmp_path / "site"
    built = build_site(ROOT / "site" / "content", out, now=clock(), jobs=1, clean=True,
                       results=load(results))  # fmt: skip
    assert not built.errors, [str(e) for e in built.errors]
    page = (out / "commitments" / "index.html").read_text(encoding="utf-8")
    assert 'data-month="2026-11"' in page and "2026年11月" in page
    assert WHY in page and 'data-kpi="archive_completeness" data-status="not_met"' in page
    assert 'data-month="2026-11"' in (out / "en" / "commitments" / "index.html").read_text()


def test_only_the_last_12_months_are_published(services: Services, clock: FakeClock) -> None:
    for month in range(1, 14):  # 2026-01 … 2027-01, each prepared and approved on its 3rd
        year, m = 2026 + (month == 13), month % 12 or 12
        nxt = (year + (m == 12), m % 12 + 1)
        _at(clock, f"{nxt[0]}-{nxt[1]:02d}-03T09:00")
        services.prepare_results()
        snapshot = services.table.get({"pk": "KPIPUB#meixi", "sk": f"{year}-{m:02d}"})
        assert snapshot is not None
        admin = _admin(services)
        missed = services.commitments.of_estate(admin, "meixi")[0].missed
        services.commitments.approve(admin, "meixi", f"{year}-{m:02d}", dict.fromkeys(missed, "说明"))
    shown = [s.month for s in services.commitments.published() if s.estate == "meixi"]
    assert shown == ["2027-01", *(f"2026-{m:02d}" for m in range(12, 1, -1))]  # not 2026-01


def _admin(services: Services) -> Identity:
    return Identity("staff", "root", frozenset({"admin"}))
