"""The publishing part of the wiring: staff-written content, its workflow and the site rebuild.

The builder (jinja2, Markdown) is imported when a rebuild is first built, not with the
wiring: a cold start that answers a sign-in never loads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from portal.wiring.core import Core

if TYPE_CHECKING:
    from portal.publishing.clockwork import SiteRebuilder
    from portal.publishing.livesite import LiveSite
    from portal.publishing.repository import PublishingRepository
    from portal.publishing.workflow import Publishing
    from portal.tasks.runner import TaskKind


class PublishingWiring(Core):
    @cached_property
    def publishing_repo(self) -> PublishingRepository:
        from portal.publishing.repository import PublishingRepository

        return PublishingRepository(self.table)

    @cached_property
    def publishing(self) -> Publishing:
        from portal.publishing.media import verify_images
        from portal.publishing.workflow import Publishing

        return Publishing(self.publishing_repo, self.audit, self.tasks, self.estates, self.clock,
                          lambda content, who: verify_images(content, lambda: self.uploads, who))  # fmt: skip

    @cached_property
    def site_rebuilder(self) -> SiteRebuilder:
        """Builds into ``settings.build_dir`` (the folder the dev server serves)."""
        from portal.publishing.clockwork import SiteRebuilder
        from portal.publishing.media import MediaCopier
        from portal.uploads.bucket import uploads_origin

        s = self.settings
        origin = uploads_origin(s.uploads_bucket, s.aws_region, s.s3_endpoint)
        return SiteRebuilder(s, self.publishing_repo, self.clock, None, (origin,),
                             MediaCopier(lambda: self.uploads.bucket),
                             self.live_site if s.publishes_to_s3 else None)  # fmt: skip

    @cached_property
    def live_site(self) -> LiveSite:
        """The site bucket and its CloudFront distribution (dev, prod); refused without them."""
        from portal.publishing.livesite import LiveSite
        from portal.publishing.sitelease import SiteLease
        from portal.settings import ConfigurationError

        s = self.settings
        missing = [name for name, value in (("PORTAL_SITE_BUCKET", s.site_bucket),
                   ("PORTAL_CLOUDFRONT_DISTRIBUTION", s.cdn_distribution)) if not value]  # fmt: skip
        if missing:
            raise ConfigurationError(f"{' and '.join(missing)} must be set to publish the site "
                                     f"in the {s.stage} stage (portal doctor)")  # fmt: skip
        return LiveSite(self.clients.s3, s.site_bucket, self.clients.cloudfront,
                        s.cdn_distribution, SiteLease(self.table, self.clock))  # fmt: skip

    def rebuild_for(self, payload: Mapping[str, Any]) -> None:
        """The ``site-rebuild`` task: build and publish, then tell the document's editor how it
        went: the build's problems, or why the live site could not take it (the task is tried
        again then, and a later success marks the document live)."""
        from portal.publishing.clockwork import problems
        from portal.publishing.model import SITE_FAILURES
        from portal.publishing.sitelease import SiteBusy
        from portal.settings import ConfigurationError
        from portal.site.publish import PublishError
        from portal.store.errors import StoreError

        doc_id, version = str(payload.get("doc_id", "")), payload.get("version")
        try:
            result, _ = self.site_rebuilder.rebuild(changed=())  # the document is in the store
        except SiteBusy:
            raise  # another publish holds the site: this one's turn comes with the retry
        except (ConfigurationError, PublishError, StoreError) as exc:
            if isinstance(version, int):  # the editor is told in words; the detail is logged
                kinds = (ConfigurationError, PublishError, StoreError)  # SITE_FAILURES' order
                reason = next(r for r, kind in zip(SITE_FAILURES, kinds, strict=True)
                              if isinstance(exc, kind))  # fmt: skip
                self.publishing.site_took(doc_id, version, False, reason)
            raise
        broken = problems(result)
        if isinstance(version, int):
            self.publishing.site_took(doc_id, version, not broken, "; ".join(broken))

    def task_kinds(self) -> dict[str, TaskKind]:
        from portal.publishing.workflow import REBUILD_TASK
        from portal.tasks.runner import TaskKind

        return {**super().task_kinds(), REBUILD_TASK: TaskKind(self.rebuild_for, max_attempts=3)}
