"""Routes of the `publishing` resource: staff write, approve, publish and withdraw content (发布).

Who may do what, where: ``portal.accounts.policy`` (``notice.draft`` …), checked by
:mod:`portal.publishing.workflow` on every estate a document is for.

``GET  /api/publishing/docs?estate=&kind=``         an estate's documents, latest change first
``POST /api/publishing/notices``                    a new notice (draft), 201
``PUT  /api/publishing/notices/<doc_id>``           edit it (a new revision, back to draft)
``POST /api/publishing/campaigns``, ``PUT …/<id>``  a month's campaign
``POST /api/publishing/newsletters``, ``PUT …/<id>`` a newsletter issue and its articles
``GET  /api/publishing/docs/<doc_id>``              one document, with the site's progress
``GET  /api/publishing/docs/<doc_id>/revisions``    every revision: who, when, what changed
``GET  /api/publishing/docs/<doc_id>/preview``      the real page (``view=page|print``)
``POST /api/publishing/docs/<doc_id>/submit``       ask for approval (审核)
``POST /api/publishing/docs/<doc_id>/approve``      approve (a second person)
``POST /api/publishing/docs/<doc_id>/publish``      publish: 202, the site is rebuilt by a task
``POST /api/publishing/docs/<doc_id>/withdraw``     withdraw with a reason (撤回): 202
``GET|PUT /api/publishing/estates/<estate>/rules``  whether the estate requires approval
``POST /api/publishing/images``                     a presigned POST for an image of a body
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response

from functions.auth import require, signed_in
from functions.blueprints import api_blueprint
from functions.blueprints.publishing_models import (
    CampaignEdit,
    CampaignIn,
    DocList,
    DocOut,
    DocPath,
    EstatePath,
    ImageOfferIn,
    ImageOfferOut,
    IssueEdit,
    IssueIn,
    ListQuery,
    NoticeEdit,
    NoticeIn,
    PreviewOut,
    PreviewQuery,
    RevisionList,
    RevisionOut,
    RulesIn,
    RulesOut,
    VersionIn,
    WithdrawIn,
)
from functions.context import services
from functions.error_models import DENIED, ErrorEnvelope
from functions.responses import json_response
from portal.accounts.audit import actor
from portal.accounts.policy import Target
from portal.publishing.model import Content

bp = api_blueprint("publishing", __name__)
REFUSED = {**DENIED, 409: ErrorEnvelope}
IMAGE_OFFERS_PER_HOUR = 120


def _created(content: Content) -> Response:
    doc = services().publishing.create(signed_in(), content)
    return json_response(DocOut.of(doc), 201)


def _edited(doc_id: str, version: int, content: Content) -> Response:
    doc = services().publishing.edit(signed_in(), doc_id, version, content)
    return json_response(DocOut.of(doc))


@bp.get("/publishing/docs", responses={200: DocList, **DENIED})
def docs(query: ListQuery) -> Response:
    """An estate's documents of one kind, the latest change first (drafts included)."""
    items = services().publishing.of_estate(signed_in(), query.kind, query.estate)
    return json_response(DocList(items=[DocOut.of(d) for d in items]))


@bp.post("/publishing/notices", responses={201: DocOut, **REFUSED})
def new_notice(body: NoticeIn) -> Response:
    """A new notice, as a draft (草稿)."""
    return _created(body.content())


@bp.put("/publishing/notices/<doc_id>", responses={200: DocOut, **REFUSED})
def edit_notice(path: DocPath, body: NoticeEdit) -> Response:
    """A new revision of a notice (not a published one: withdraw it first)."""
    return _edited(path.doc_id, body.version, body.content())


@bp.post("/publishing/campaigns", responses={201: DocOut, **REFUSED})
def new_campaign(body: CampaignIn) -> Response:
    """A month's campaign (宣传月), as a draft; published, it replaces the calendar's theme."""
    return _created(body.content())


@bp.put("/publishing/campaigns/<doc_id>", responses={200: DocOut, **REFUSED})
def edit_campaign(path: DocPath, body: CampaignEdit) -> Response:
    """A new revision of a campaign."""
    return _edited(path.doc_id, body.version, body.content())


@bp.post("/publishing/newsletters", responses={201: DocOut, **REFUSED})
def new_issue(body: IssueIn) -> Response:
    """A newsletter issue (社区刊物) with its articles (感动客户 stories among them)."""
    return _created(body.content())


@bp.put("/publishing/newsletters/<doc_id>", responses={200: DocOut, **REFUSED})
def edit_issue(path: DocPath, body: IssueEdit) -> Response:
    """A new revision of an issue."""
    return _edited(path.doc_id, body.version, body.content())


@bp.get("/publishing/docs/<doc_id>", responses={200: DocOut, **DENIED})
def doc(path: DocPath) -> Response:
    """One document: its state, content and how far the site is with it (``site_state``)."""
    return json_response(DocOut.of(services().publishing.get(signed_in(), path.doc_id)))


@bp.get("/publishing/docs/<doc_id>/revisions", responses={200: RevisionList, **DENIED})
def revisions(path: DocPath) -> Response:
    """Every revision, oldest first: who, when, what (fields) changed, and the reason given."""
    items = services().publishing.revisions(signed_in(), path.doc_id)
    return json_response(RevisionList(items=[RevisionOut.of(r) for r in items]))


@bp.get("/publishing/docs/<doc_id>/preview", responses={200: PreviewOut, **DENIED})
def preview(path: DocPath, query: PreviewQuery) -> Response:
    """The page as the site will show it: the same planner, templates and sanitiser."""
    from portal.publishing.preview import render_preview

    s = services()
    d = s.publishing.get(signed_in(), path.doc_id)
    s.site_rebuilder.place_media([d])  # its images, served from the site's own origin
    html = render_preview(d, s.estates.company(), s.clock(), s.settings.site_src_dir,
                          s.settings.site_url, query.view, query.lang)  # fmt: skip
    return json_response(PreviewOut(html=html))


@bp.post("/publishing/docs/<doc_id>/submit", responses={200: DocOut, **REFUSED})
def submit(path: DocPath, body: VersionIn) -> Response:
    """Ask a supervisor or project manager to approve (待审核)."""
    return json_response(DocOut.of(services().publishing.submit(signed_in(), path.doc_id, body.version)))


@bp.post("/publishing/docs/<doc_id>/approve", responses={200: DocOut, **REFUSED})
def approve(path: DocPath, body: VersionIn) -> Response:
    """Approve (审核通过): a second person, not the one who last changed the words."""
    return json_response(DocOut.of(services().publishing.approve(signed_in(), path.doc_id, body.version)))


@bp.post("/publishing/docs/<doc_id>/publish", responses={202: DocOut, **REFUSED})
def publish(path: DocPath, body: VersionIn) -> Response:
    """Publish (发布): 202, the site is rebuilt and published by a task (``site_state``)."""
    d = services().publishing.publish(signed_in(), path.doc_id, body.version)
    return json_response(DocOut.of(d), 202)


@bp.post("/publishing/docs/<doc_id>/withdraw", responses={202: DocOut, **REFUSED})
def withdraw(path: DocPath, body: WithdrawIn) -> Response:
    """Withdraw (撤回) with a reason: it leaves the site when the task has rebuilt it."""
    d = services().publishing.withdraw(signed_in(), path.doc_id, body.version, body.reason)
    return json_response(DocOut.of(d), 202)


@bp.get("/publishing/estates/<estate>/rules", responses={200: RulesOut, **DENIED})
def rules(path: EstatePath) -> Response:
    """Whether the estate requires a second person's approval before anything goes live."""
    required = services().publishing.approval_required(signed_in(), path.estate)
    return json_response(RulesOut(estate=path.estate, approval_required=required))


@bp.put("/publishing/estates/<estate>/rules", responses={200: RulesOut, **DENIED})
def set_rules(path: EstatePath, body: RulesIn) -> Response:
    """Require approval (or not) in an estate: project manager and admin (audited)."""
    required = services().publishing.configure(signed_in(), path.estate, body.approval_required)
    return json_response(RulesOut(estate=path.estate, approval_required=required))


@bp.post("/publishing/images", responses={201: ImageOfferOut, **DENIED, 429: ErrorEnvelope,
                                          503: ErrorEnvelope})  # fmt: skip
def offer_image(body: ImageOfferIn) -> Response:
    """A presigned POST for one image of a body: the same checks as work-order photos."""
    identity = require("notice.draft", Target(estate=body.estate))
    who = actor("staff", identity.user_id)
    s = services()
    s.counters.take("image_offers", who, IMAGE_OFFERS_PER_HOUR, timedelta(hours=1), "too_many_photos")
    offer = s.uploads.offer("publishing", who, body.content_type, body.size)
    return json_response(ImageOfferOut(url=offer.url, fields=offer.fields, key=offer.key,
                                       max_bytes=offer.max_bytes, expires_in=offer.expires_in), 201)  # fmt: skip
