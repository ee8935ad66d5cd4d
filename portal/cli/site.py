"""``portal build``, ``portal publish`` and ``portal seed``: the site and the demo data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from portal.cli import Finished

if TYPE_CHECKING:
    from portal.commitments.model import Snapshot


def register(main: click.Group) -> None:
    for command in (build, publish, seed):
        main.add_command(command)


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        now = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO-8601 date-time: {value!r}") from exc
    if now.tzinfo is None:
        raise click.BadParameter("--now needs a UTC offset, e.g. 2026-11-22T09:00:00+08:00")
    return now


@click.command()
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=None,
              help="Content folder (default: site/content).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: build/site).")
@click.option("--now", "now", default=None,
              help="Fix 'today' (ISO-8601 with offset) for expiry and the current campaign.")
@click.option("--site-url", default=None, help="Absolute URL the site is served from.")
@click.option("--clean", is_flag=True, help="Ignore the manifest and rebuild every page.")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes (default: CPUs).")
@click.option("--results", "results_file", type=click.Path(path_type=Path, exists=True),
              default=None, help="The published KPI results (from `portal kpi publish`).")
def build(content_dir: Path | None, out_dir: Path | None, now: str | None,
          site_url: str | None, clean: bool, jobs: int | None, results_file: Path | None) -> None:
    """Build the static site (incrementally)."""
    from portal.settings import Settings
    from portal.site.build import build_site
    from portal.site.report import print_report, progress_bar
    from portal.uploads.bucket import uploads_origin

    # A build talks to no AWS service and answers no request; the settings still say which
    # uploads bucket the pages that send photos admit, whichever folders and URL are given.
    settings = Settings.from_env(default_stage="local", serves_api=False)
    content_dir = content_dir or settings.content_dir
    out_dir = out_dir or settings.build_dir
    site_url = site_url or settings.site_url
    with progress_bar() as progress:
        result = build_site(
            content_dir=content_dir,
            out_dir=out_dir,
            now=_parse_now(now),
            site_url=site_url,
            clean=clean,
            jobs=jobs,
            progress=progress,
            media_origins=[uploads_origin(settings.uploads_bucket, settings.aws_region,
                                          settings.s3_endpoint)],
            results=_results(results_file),
        )  # fmt: skip
    print_report(result)
    raise Finished(1 if result.errors else 0)


def _results(path: Path | None) -> list[Snapshot]:
    if path is None:
        return []
    from portal.commitments.published import load

    return load(path)


@click.command()
@click.option("--bucket", required=True, help="Target S3 bucket.")
@click.option("--endpoint-url", default=None, help="S3 endpoint (for S3-compatible stores).")
@click.option("--prefix", default="", help="Key prefix inside the bucket.")
@click.option("--site", "site_dir", type=click.Path(path_type=Path, exists=True), default=None,
              help="Built site folder (default: build/site).")
@click.option("--dry-run", is_flag=True, help="Show what would change; upload nothing.")
def publish(bucket: str, endpoint_url: str | None, prefix: str, site_dir: Path | None,
            dry_run: bool) -> None:
    """Upload the built site to S3: changed files only, stale pages removed."""
    from portal.cli.context import services as current
    from portal.site.publish import publish_site

    settings = current().settings  # refuses, with the reason, an unsafe configuration
    plan = publish_site(
        site_dir or settings.build_dir, bucket=bucket, prefix=prefix,
        endpoint_url=endpoint_url, settings=settings, dry_run=dry_run,
    )
    click.echo(plan.summary())


@click.command()
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=None)
def seed(content_dir: Path | None) -> None:
    """Create the tables and load the demo estate (idempotent)."""
    from portal.cli.context import services as current
    from portal.localdev.demo import seed_demo

    services = current()
    report = seed_demo(services, content_dir or services.settings.content_dir)
    click.echo(report)
