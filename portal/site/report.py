"""Print a build result for people: every error as file:line, then a summary."""

from __future__ import annotations

import click

from portal.i18n import translate
from portal.site.build import BuildResult


def print_report(result: BuildResult) -> None:
    for err in result.errors:
        click.echo(str(err), err=True)
    for lang in ("zh-CN", "en"):
        click.echo(translate("build_report.summary", lang, pages=result.pages,
                             written=len(result.written), deleted=len(result.deleted),
                             parsed=result.parsed, errors=len(result.errors),
                             seconds=f"{result.seconds:.2f}"))  # fmt: skip
