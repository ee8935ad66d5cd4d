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
                             MediaCopier(lambda: self.uploads.bucket))  # fmt: skip

    def rebuild_for(self, payload: Mapping[str, Any]) -> None:
        """The ``site-rebuild`` task: build, then tell the document's editor how it went."""
        from portal.publishing.clockwork import problems

        result, _ = self.site_rebuilder.rebuild()
        broken = problems(result)
        doc_id, version = str(payload.get("doc_id", "")), payload.get("version")
        if isinstance(version, int):
            self.publishing.site_took(doc_id, version, not broken, "; ".join(broken))

    def task_kinds(self) -> dict[str, TaskKind]:
        from portal.publishing.workflow import REBUILD_TASK
        from portal.tasks.runner import TaskKind

        return {**super().task_kinds(), REBUILD_TASK: TaskKind(self.rebuild_for, max_attempts=3)}
