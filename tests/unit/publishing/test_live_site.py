"""Publishing on AWS (moto's S3 and CloudFront): the rebuild uploads only the files whose bytes
changed to the site bucket, invalidates exactly the changed pages in one request (none when
nothing changed), keeps its state in S3 so a fresh Lambda instance rebuilds incrementally,
lets two publishes at once both land, and leaves the live site as it was after a failed build.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest

from portal import ROOT
from portal.publishing.clockwork import SiteRebuilder
from portal.publishing.livesite import STATE_KEY, LiveSite, SiteState
from portal.publishing.media import MediaCopier, verify_images
from portal.publishing.sitelease import SiteLease
from portal.publishing.workflow import Publishing
from portal.settings import ConfigurationError, Settings
from portal.site.invalidation import MAX_PATHS, invalidation_paths
from portal.site.publish import PublishError
from portal.store.client import s3_client
from portal.tasks.dispatch import SweepOnly
from portal.tasks.queue import TaskQueue
from portal.uploads.service import UploadService
from portal.wiring import Clients, Services
from tests.factories import FakeClock
from tests.support import images
from tests.support.publishing import NOW, notice, quiet_publishing, rebuilder, writer

BUCKET = "owner-portal-test-site"


class CountingS3:
    """moto's S3 client, counting the site's uploads (the publisher's own state aside)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.uploaded: list[str] = []
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def put_object(self, **kwargs: Any) -> Any:
        if kwargs["Key"] != STATE_KEY:
            with self._lock:
                self.uploaded.append(kwargs["Key"])
        return self.client.put_object(**kwargs)

    def take(self) -> list[str]:
        with self._lock:
            taken, self.uploaded = sorted(self.uploaded), []
        return taken


@pytest.fixture
def s3(moto_aws: None, settings: Settings) -> CountingS3:
    client = s3_client(settings)
    client.create_bucket(Bucket=BUCKET,
                         CreateBucketConfiguration={"LocationConstraint": settings.aws_region})  # fmt: skip
    return CountingS3(client)


@pytest.fixture
def cloudfront(moto_aws: None) -> tuple[Any, str]:
    cf = boto3.client("cloudfront", region_name="us-east-1")
    made = cf.create_distribution(DistributionConfig={
        "CallerReference": "site", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": f"{BUCKET}.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all"},
    })  # fmt: skip
    return cf, str(made["Distribution"]["Id"])


def invalidations(cloudfront: tuple[Any, str]) -> list[list[str]]:
    """The paths of every invalidation of the distribution."""
    cf, dist = cloudfront
    items = cf.list_invalidations(DistributionId=dist)["InvalidationList"].get("Items") or []
    return [sorted(cf.get_invalidation(DistributionId=dist, Id=i["Id"])["Invalidation"]
                   ["InvalidationBatch"]["Paths"].get("Items") or []) for i in items]  # fmt: skip


class AtomicTable:
    """The table with each write made whole under a lock. moto checks a condition and then
    writes, and another thread may write in between; DynamoDB's conditional writes are
    atomic (the lease under contention is tested on DynamoDB Local)."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self._lock = threading.Lock()

    def put(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return self.table.put(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return self.table.delete(*args, **kwargs)


def live(services: Services, s3: CountingS3, cloudfront: tuple[Any, str]) -> LiveSite:
    lease = SiteLease(AtomicTable(services.table), services.clock)  # type: ignore[arg-type]
    return LiveSite(s3, BUCKET, cloudfront[0], cloudfront[1], lease)


def instance(services: Services, settings: Settings, root: Path, site: LiveSite,
             name: str = "a", src: Path | None = None) -> SiteRebuilder:  # fmt: skip
    """A Lambda instance's rebuild: the shared content, its own empty build folder."""
    base = rebuilder(services, settings, root) if not (root / "content").exists() else None
    s = base.settings if base else replace(settings, content_dir=root / "content")
    s = replace(s, build_dir=root / f"out-{name}", site_src_dir=src or s.site_src_dir)
    return SiteRebuilder(s, services.publishing_repo, services.clock, live=site)


def bucket_md5s(s3: CountingS3) -> dict[str, str]:
    listed = s3.client.list_objects_v2(Bucket=BUCKET).get("Contents") or []
    return {o["Key"]: o["ETag"].strip('"') for o in listed if o["Key"] != STATE_KEY}


def live_page(s3: CountingS3, key: str) -> str:
    return str(s3.client.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode())


def publish_notice(services: Services, title: str) -> str:
    p = quiet_publishing(services)
    d = p.create(writer(), notice(title))
    return p.publish(writer(), d.doc_id, d.version).doc_id


def test_a_publish_uploads_only_the_changed_files_and_invalidates_exactly_their_pages_once(
    services: Services, settings: Settings, tmp_path: Path, s3: CountingS3,
    cloudfront: tuple[Any, str],
) -> None:  # fmt: skip
    r = instance(services, settings, tmp_path, live(services, s3, cloudfront))
    r.rebuild(NOW)
    first = s3.take()
    assert "estates/lanting/index.html" in first and len(first) == len(bucket_md5s(s3))
    before = bucket_md5s(s3)
    doc_id = publish_notice(services, "3号楼电梯维保")
    r.rebuild(NOW)
    uploaded = s3.take()
    after = bucket_md5s(s3)
    changed = sorted(k for k in after if before.get(k) != after[k])
    assert uploaded == changed  # every upload changed something, every change was uploaded
    assert f"notices/{doc_id}/index.html" in uploaded and len(uploaded) < len(first) / 3
    assert "3号楼电梯维保" in live_page(s3, "estates/lanting/notices/index.html")
    pages = sorted("/" + k for k in uploaded if k.endswith(".html"))
    assert invalidations(cloudfront)[-1] == pages and len(invalidations(cloudfront)) == 2
    assert r.last_published is not None and r.last_published.invalidated == tuple(pages)
    r.rebuild(NOW)  # nothing changed: nothing uploaded, nothing invalidated
    assert s3.take() == [] and len(invalidations(cloudfront)) == 2


def test_a_fresh_instance_rebuilds_only_the_changed_pages_from_the_state_kept_in_s3(
    services: Services, settings: Settings, tmp_path: Path, s3: CountingS3,
    cloudfront: tuple[Any, str],
) -> None:  # fmt: skip
    site = live(services, s3, cloudfront)
    warm = instance(services, settings, tmp_path, site, "warm")
    full, _ = warm.rebuild(NOW)
    s3.take()
    doc_id = publish_notice(services, "供暖试水通知")
    cold = instance(services, settings, tmp_path, site, "cold")  # another Lambda, empty /tmp
    assert not cold.settings.build_dir.exists()
    result, _ = cold.rebuild(NOW)
    pages = [k for k in result.written if k.endswith(".html")]
    assert 0 < len(pages) < full.pages / 3  # incremental, not the whole site again
    uploaded = s3.take()
    assert f"notices/{doc_id}/index.html" in uploaded
    assert all(k.endswith(".html") or k.endswith((".xml", ".ics", ".json")) for k in uploaded)
    state = SiteState.decode(s3.client.get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read())
    assert state.files == bucket_md5s(s3)  # the state is what is live
    warm_again, _ = warm.rebuild(NOW)  # the first instance catches up from the state
    assert s3.take() == [] and len(warm_again.written) < full.pages / 3


def test_two_publishes_at_once_on_two_instances_both_land(
    services: Services, settings: Settings, tmp_path: Path, s3: CountingS3,
    cloudfront: tuple[Any, str],
) -> None:  # fmt: skip
    site = live(services, s3, cloudfront)
    one = instance(services, settings, tmp_path, site, "one")
    two = instance(services, settings, tmp_path, site, "two")
    one.rebuild(NOW)
    first = publish_notice(services, "东门临时封闭")
    second = publish_notice(services, "垃圾分类督导")
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(r: SiteRebuilder) -> None:
        try:
            start.wait()
            r.rebuild(NOW)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in (one, two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    listing = live_page(s3, "estates/lanting/notices/index.html")
    assert "东门临时封闭" in listing and "垃圾分类督导" in listing
    keys = bucket_md5s(s3)
    assert f"notices/{first}/index.html" in keys and f"notices/{second}/index.html" in keys
    state = SiteState.decode(s3.client.get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read())
    assert state.files == keys and state.generation >= 2


def test_a_broken_template_leaves_the_live_site_and_its_state_as_they_were_and_says_why(
    services: Services, settings: Settings, tmp_path: Path, s3: CountingS3,
    cloudfront: tuple[Any, str],
) -> None:  # fmt: skip
    src = tmp_path / "site-src"
    shutil.copytree(ROOT / "site", src, ignore=shutil.ignore_patterns("content"))
    r = instance(services, settings, tmp_path, live(services, s3, cloudfront), src=src)
    r.rebuild(NOW)
    s3.take()
    before = bucket_md5s(s3)
    state_etag = s3.client.head_object(Bucket=BUCKET, Key=STATE_KEY)["ETag"]
    (src / "templates" / "notice.html").write_text("{% extends 'base.html' %}{% block main %}"
                                                   "{{ notice.no_such() }}{% endblock %}")  # fmt: skip
    doc_id = publish_notice(services, "坏模板下的公告")
    services.__dict__["site_rebuilder"] = r
    services.rebuild_for({"doc_id": doc_id, "version": 2})
    assert s3.take() == [] and bucket_md5s(s3) == before
    assert s3.client.head_object(Bucket=BUCKET, Key=STATE_KEY)["ETag"] == state_etag
    assert len(invalidations(cloudfront)) == 1  # the first publish's only
    after = quiet_publishing(services).get(writer(), doc_id)
    assert after.site_state == "failed" and "notice.html" in after.site_note
    # Fixed, the next publish on the same instance puts up every page the broken one missed.
    shutil.copy(ROOT / "site" / "templates" / "notice.html", src / "templates" / "notice.html")
    r.rebuild(NOW)
    uploaded = s3.take()
    assert f"notices/{doc_id}/index.html" in uploaded
    assert "坏模板下的公告" in live_page(s3, "estates/lanting/notices/index.html")


def test_a_failed_upload_leaves_the_state_and_the_next_publish_uploads_what_it_missed(
    services: Services, settings: Settings, tmp_path: Path, s3: CountingS3,
    cloudfront: tuple[Any, str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    r = instance(services, settings, tmp_path, live(services, s3, cloudfront))
    r.rebuild(NOW)
    s3.take()
    state_etag = s3.client.head_object(Bucket=BUCKET, Key=STATE_KEY)["ETag"]
    doc_id = publish_notice(services, "燃气管道检修")

    def refuse(**kwargs: Any) -> Any:
        raise PublishError("S3 said no")

    monkeypatch.setattr(s3, "put_object", refuse)
    with pytest.raises(PublishError):
        r.rebuild(NOW)
    monkeypatch.undo()
    assert s3.client.head_object(Bucket=BUCKET, Key=STATE_KEY)["ETag"] == state_etag
    r.rebuild(NOW)
    assert f"notices/{doc_id}/index.html" in s3.take()
    assert "燃气管道检修" in live_page(s3, "estates/lanting/notices/index.html")


def test_on_aws_publishing_refuses_without_the_site_bucket_or_distribution_and_says_which(
    ddb: Any, settings: Settings, clock: FakeClock,
) -> None:  # fmt: skip
    cfg = settings.with_(stage="dev", site_bucket=BUCKET, cdn_distribution="")
    services = Services(cfg, Clients(cfg, dynamodb=ddb), clock)
    with pytest.raises(ConfigurationError, match="PORTAL_CLOUDFRONT_DISTRIBUTION"):
        _ = services.site_rebuilder
    local = Services(settings, Clients(settings, dynamodb=ddb), clock)
    assert local.site_rebuilder.live is None  # locally the build folder is the site


def test_settings_read_the_site_bucket_and_distribution_and_build_in_tmp_on_lambda() -> None:
    env = {"PORTAL_STAGE": "test", "PORTAL_SITE_BUCKET": BUCKET,
           "PORTAL_CLOUDFRONT_DISTRIBUTION": "E2EXAMPLE", "AWS_LAMBDA_FUNCTION_NAME": "owner-portal-dev"}  # fmt: skip
    s = Settings.from_env(env)
    assert (s.site_bucket, s.cdn_distribution) == (BUCKET, "E2EXAMPLE")
    assert str(s.build_dir) == "/tmp/portal-site"
    assert Settings.from_env({"PORTAL_STAGE": "test"}).build_dir == Settings().build_dir
    assert not Settings(stage="test").publishes_to_s3 and Settings(stage="prod").publishes_to_s3


def test_the_invalidation_names_each_changed_page_the_home_page_as_root_too_and_nothing_else() -> None:
    keys = ["index.html", "notices/n1/index.html", "assets/style.3f9a1c2b.css", "feed.xml",
            "notices/停水/index.html"]  # fmt: skip
    assert invalidation_paths(keys) == sorted(["/", "/index.html", "/notices/n1/index.html",
                                               "/notices/%E5%81%9C%E6%B0%B4/index.html"])  # fmt: skip
    assert invalidation_paths(["a.css", "b.ics"]) == []
    many = [f"notices/n{i}/index.html" for i in range(MAX_PATHS + 1)]
    assert invalidation_paths(many) == ["/*"]


def test_the_state_round_trips_and_its_md5s_are_the_files_bytes() -> None:
    state = SiteState({"index.html": hashlib.md5(b"x", usedforsecurity=False).hexdigest()},
                      {".portal-build.pickle": b"\x80\x05."}, 3)  # fmt: skip
    assert SiteState.decode(state.encode()) == state


def test_a_previewed_image_is_put_in_the_site_bucket_once_and_recorded_when_published(
    services: Services, settings: Settings, tmp_path: Path, s3: CountingS3,
    cloudfront: tuple[Any, str], uploads: UploadService,
) -> None:  # fmt: skip
    offer = uploads.offer("publishing", "staff:p.butler", "image/jpeg", len(images.JPEG))
    uploads.bucket.client.put_object(
        Bucket=uploads.bucket.name, Key=offer.key, Body=images.JPEG, ContentType="image/jpeg",
        Metadata={"owner": "staff:p.butler", "purpose": "publishing"})  # fmt: skip
    p = Publishing(services.publishing_repo, services.audit, TaskQueue(SweepOnly(), services.clock),
                   services.estates, services.clock,
                   lambda content, who: verify_images(content, lambda: uploads, who))  # fmt: skip
    d = p.create(writer(), notice("附图的公告", body=f"![图]({offer.key})"))
    base = instance(services, settings, tmp_path, live(services, s3, cloudfront))
    r = SiteRebuilder(base.settings, services.publishing_repo, services.clock,
                      media=MediaCopier(lambda: uploads.bucket), live=base.live)  # fmt: skip
    r.place_media([d])  # the editor's preview
    staged = s3.take()
    assert len(staged) == 1 and staged[0].startswith("media/publishing/")
    r.place_media([d])
    assert s3.take() == []  # already there
    p.publish(writer(), d.doc_id, d.version)
    r.rebuild(NOW)
    state = SiteState.decode(s3.client.get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read())
    assert staged[0] in state.files and f'src="/{staged[0]}"' in live_page(
        s3, f"notices/{d.doc_id}/index.html")
