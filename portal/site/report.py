"""Print a build result for people: every error as file:line, then a summary."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from portal.i18n import LANGS, translate
from portal.site.build import BuildResult, Progress


@contextmanager
def progress_bar() -> Iterator[Progress | None]:
    """A rich progress bar on an interactive terminal; nothing in CI or when piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as Bar

    with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
             transient=True) as bar:  # fmt: skip
        tasks: dict[str, object] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(translate(f"build_report.{stage}"), total=total)
            bar.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

        yield update


def print_report(result: BuildResult) -> None:
    for err in result.errors:
        click.echo(str(err), err=True)
    for lang in LANGS:
        click.echo(translate("build_report.summary", lang, pages=result.pages,
                             written=len(result.written), deleted=len(result.deleted),
                             parsed=result.parsed, errors=len(result.errors),
                             seconds=f"{result.seconds:.2f}"))  # fmt: skip
