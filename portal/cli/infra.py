"""``portal infra template``: the CloudFormation template, generated from the code.

``infra/template.yaml`` (and ``infra/template.cn.yaml`` for the AWS China regions) are
this command's output, checked in; ``--write`` rewrites both. A test fails when a
checked-in file differs from what the code makes.
"""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    main.add_command(infra)


@click.group()
def infra() -> None:
    """Deployment (部署): the CloudFormation template."""


@infra.command("template")
@click.option("--china", is_flag=True, help="The AWS China regions' variant.")
@click.option("--write", is_flag=True, help="Rewrite infra/template.yaml and template.cn.yaml.")
def template(china: bool, write: bool) -> None:
    """Print the template (YAML), or rewrite the checked-in files."""
    from portal import ROOT
    from portal.i18n import both
    from portal.infra.template import TEMPLATES, build, render

    if not write:
        click.echo(render(build(china=china)), nl=False)
        return
    for name, is_china in TEMPLATES.items():
        path = ROOT / "infra" / name
        path.write_text(render(build(china=is_china)), encoding="utf-8")
        click.echo(both("ops.infra.written", path=path.relative_to(ROOT)))
