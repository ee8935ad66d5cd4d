"""When the live site cannot take a publish, the editor is told why in words, not in the
exception's English: the document's ``site_note`` is a reason the catalogs word, and the
technical detail stays with the task (it is raised again, so the task is retried and logged)."""

from __future__ import annotations

import re

import pytest

from portal import ROOT
from portal.i18n import translate
from portal.publishing.model import SITE_FAILURES
from portal.settings import ConfigurationError
from portal.site.publish import PublishError
from portal.store.errors import StoreError, StoreUnavailable
from portal.wiring import Services
from tests.support.publishing import notice, quiet_publishing, writer


class _Refusing:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def rebuild(self, changed: object = None) -> None:
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (ConfigurationError("PORTAL_SITE_BUCKET must be set to publish the site"),
         "reason_configuration"),
        (PublishError("upload of notices/x/index.html failed: AccessDenied"), "reason_upload"),
        (StoreUnavailable("ProvisionedThroughputExceededException"), "reason_store"),
        (StoreError("ValidationException"), "reason_store"),
    ],
)  # fmt: skip
def test_a_publish_the_live_site_could_not_take_is_failed_with_a_reason_in_words(
    services: Services, exc: Exception, reason: str
) -> None:
    p = quiet_publishing(services)
    d = p.create(writer(), notice("停水通知"))
    d = p.publish(writer(), d.doc_id, d.version)
    services.__dict__["site_rebuilder"] = _Refusing(exc)
    with pytest.raises(type(exc)):  # raised again: the task is retried, and its log has the detail
        services.rebuild_for({"doc_id": d.doc_id, "version": d.version})
    after = p.get(writer(), d.doc_id)
    assert (after.site_state, after.site_note) == ("failed", reason)


def test_every_reason_is_worded_in_both_languages_and_reaches_the_editors_page() -> None:
    template = (ROOT / "site" / "templates" / "publishing.html").read_text(encoding="utf-8")
    site_group = re.search(r'"site": \(([^)]*)\)', template)
    assert site_group is not None
    listed = re.findall(r'"([a-z_]+)"', site_group.group(1))
    for reason in SITE_FAILURES:
        assert reason in listed, reason  # its label is embedded for publishing.js
        zh, en = (translate(f"publishing.site.{reason}", lang) for lang in ("zh-CN", "en"))
        assert zh != en and not zh.startswith("publishing."), reason
        assert re.search(r"[\u4e00-\u9fff]", zh), zh
