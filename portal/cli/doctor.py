"""``portal doctor --stage S``: check a stage's configuration, before and after deploying it.

Uses the operator's AWS credentials (read-only calls) in the stage's region. Prints one
line a check, zh-CN then English (``✓`` passed, ``!`` read this, ``✗`` fix this), then a
count; exits 1 when anything must be fixed. :mod:`portal.doctor` says what is checked.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

MARKS = {"ok": "✓", "warn": "!", "fail": "✗"}


def register(main: click.Group) -> None:
    main.add_command(doctor)


@click.command()
@click.option("--stage", required=True, help="The stage of zappa_settings.json (dev, prod).")
@click.option("--settings", "settings_path", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Zappa settings (default: infra/zappa_settings.json).")
@click.option("--region", default=None, help="AWS region (default: the stage's aws_region).")
@click.option("--quiet", "-q", is_flag=True, help="Only what to read or fix.")
def doctor(stage: str, settings_path: Path | None, region: str | None, quiet: bool) -> None:
    """Check a stage's configuration (设置、密钥、数据表、存储桶、短信) and say what to fix."""
    from portal import ROOT
    from portal.doctor import check
    from portal.i18n import translate
    from portal.settings import Settings
    from portal.store import client
    from portal.store.deployment import Deployment

    path = settings_path or ROOT / "infra" / "zappa_settings.json"
    stages = json.loads(path.read_text(encoding="utf-8"))
    cfg = stages.get(stage, {}) if isinstance(stages.get(stage), dict) else {}
    aws_region = region or cfg.get("aws_region") or "ap-east-1"
    aws = Settings(aws_region=aws_region)
    made: dict[str, object] = {}

    def clients(service: str) -> object:
        if service not in made:
            made[service] = client.client(aws, service)
        return made[service]

    def say(key: str, **params: object) -> tuple[str, str]:
        return (translate(f"ops.doctor.{key}", "zh-CN", **params),
                translate(f"ops.doctor.{key}", "en", **params))  # fmt: skip

    zh, en = say("header", stage=stage, region=aws_region, settings=path)
    click.echo(f"{zh}\n{en}\n")
    findings = check(stage, stages, Deployment(clients), clients)
    for f in findings:
        if quiet and f.level == "ok":
            continue
        zh, en = say(f.key, **f.params)
        click.echo(f"{MARKS[f.level]} {zh}\n  {en}")
    counts = {level: sum(f.level == level for f in findings) for level in MARKS}
    zh, en = say("summary", **counts)
    click.echo(f"\n{zh}\n{en}")
    sys.exit(1 if counts["fail"] else 0)
