"""The preview is the real page: a document rendered by the site's own planner, templates,
filters and sanitiser, as if published (at its publish time, or now if that has passed).

Nothing is written: the one page is planned from a model that holds only this document
and rendered in memory. The editor shows it in a sandboxed frame at phone width and its
print view (for the notice board) at A4 width: a campaign's or an issue's ``print/`` page,
or a notice's page as it prints (``notice_print.html``: what its print button does on the
site, which this frame, running no script, cannot).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from portal.errors import NotFound
from portal.estates.model import Company
from portal.publishing.model import CampaignContent, Doc, IssueContent, NoticeContent
from portal.publishing.source import contribute_docs
from portal.site.inputs import assets
from portal.site.model import SiteModel
from portal.site.pages import out_path, plan, set_site_url
from portal.site.render import make_env

View = Literal["page", "print"]
PRINTED_NOTICE = "notice_print.html"


def page_path(doc: Doc, view: View) -> str:
    c = doc.content
    if isinstance(c, NoticeContent):
        path = f"notices/{doc.doc_id}/"
    elif isinstance(c, CampaignContent):
        path = f"campaigns/{c.year}-{c.month:02d}/"
    else:
        assert isinstance(c, IssueContent)
        path = f"newsletter/{c.number}/"
    return path + ("print/" if view == "print" and not isinstance(c, NoticeContent) else "")


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)


def render_preview(doc: Doc, company: Company, now: datetime, site_src: Path, site_url: str,
                   view: View = "page", lang: str = "zh-CN") -> str:  # fmt: skip
    """The HTML of ``doc``'s page as the site would serve it."""
    c = doc.content
    at = max(now, c.publish_at) if isinstance(c, NoticeContent | IssueContent) else now
    model = SiteModel(company=company, now=at)
    contribute_docs(model, [replace(doc, state="published")])
    set_site_url(site_url)
    wanted = out_path(page_path(doc, view), lang)
    page = next((p for p in plan(model) if p.out == wanted), None)
    if page is None:  # no English version of this notice: its Chinese page
        wanted = out_path(page_path(doc, view), "zh-CN")
        page = next((p for p in plan(model) if p.out == wanted), None)
    if page is None:
        raise NotFound("publishing_not_found")
    if view == "print" and isinstance(c, NoticeContent):
        page = replace(page, template=PRINTED_NOTICE)
    urls, _ = assets(site_src / "static")
    env = make_env(site_src / "templates", site_url, urls)
    html = env.get_template(page.template).render(page.context())
    # The editor shows it in a sandboxed frame that runs no script (by design): the page's
    # own scripts (the large-type switch) are left out rather than blocked with an error.
    return _SCRIPT.sub("", html)
