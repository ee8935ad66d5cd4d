from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from portal import ROOT
from portal.cli import main
from tests.unit.sitebuild.conftest import Site, notice


def _messages(result: object) -> list[str]:
    return [str(e) for e in result.errors]  # type: ignore[attr-defined]


def test_unknown_category_is_reported_with_file_and_line_and_the_rest_builds(site: Site) -> None:
    site.write("notices/bad.md", notice("坏分类", "2026-11-20T09:00:00+08:00", category="gossip"))
    result = site.build()
    assert _messages(result) == [
        "notices/bad.md:3: 字段 “category” 的值 “gossip” 无效，可选：outage, works, fees, safety, "
        "events, tips / field “category” has an invalid value “gossip”; allowed: outage, works, "
        "fees, safety, events, tips"
    ]
    assert (site.out / "notices/water/index.html").exists()
    assert not (site.out / "notices/bad").exists()


def test_missing_title_names_the_file_and_front_matter_line(site: Site) -> None:
    site.write(
        "notices/untitled.md",
        "---\ncategory: tips\nestates: [lanting]\npublished: 2026-11-20\n---\n正文\n",
    )
    [err] = site.build().errors
    assert (err.path, err.line, err.code) == ("notices/untitled.md", 2, "missing_field")
    assert "title" in str(err)


def test_bad_date_names_the_line_of_the_date(site: Site) -> None:
    site.write("notices/baddate.md", notice("日期错误", "2026-13-45"))
    [err] = site.build().errors
    assert (err.line, err.code) == (5, "bad_date") and "2026-13-45" in str(err)


def test_broken_yaml_and_missing_front_matter_are_reported(site: Site) -> None:
    site.write("notices/yaml.md", "---\ntitle: [unclosed\ncategory: tips\n---\nx\n")
    site.write("notices/nofm.md", "只有正文\n")
    errs = {(e.path, e.code) for e in site.build().errors}
    assert errs == {("notices/yaml.md", "bad_yaml"), ("notices/nofm.md", "no_front_matter")}


def test_typo_in_a_field_name_is_an_error_not_silently_ignored(site: Site) -> None:
    site.write(
        "notices/typo.md", notice("拼写", "2026-11-20T09:00:00+08:00", extra="pined: true\n")
    )
    [err] = site.build().errors
    assert (err.code, err.line) == ("unknown_field", 6)


def test_unknown_estate_and_building_are_reported(site: Site) -> None:
    site.write(
        "notices/est.md", notice("未知小区", "2026-11-20T09:00:00+08:00", estates="[nowhere]")
    )
    site.write("notices/bld.md", notice("未知楼栋", "2026-11-20T09:00:00+08:00",
                                        extra='buildings: ["9"]\n'))  # fmt: skip
    codes = sorted((e.path, e.code) for e in site.build().errors)
    assert codes == [("notices/bld.md", "unknown_building"), ("notices/est.md", "unknown_estate")]


def test_english_version_without_original_is_reported(site: Site) -> None:
    site.write("notices/lonely.en.md", "---\ntitle: Lonely\n---\nx\n")
    [err] = site.build().errors
    assert err.code == "orphan_translation"


def test_bad_campaign_month_and_event_time_are_reported(site: Site) -> None:
    site.write(
        "campaigns/bad.md",
        "---\nmonth: 13\ntitle: x\nevents:\n"
        "  - {title: a, start: '2026-11-15T09:00', end: '11-15T10:00'}\n---\nx\n",
    )
    codes = sorted(e.code for e in site.build().errors)
    assert codes == ["bad_event_time", "bad_month"]


def test_errors_are_reported_again_on_an_incremental_build(site: Site) -> None:
    site.write("notices/bad.md", notice("坏分类", "2026-11-20T09:00:00+08:00", category="gossip"))
    assert len(site.build().errors) == 1
    assert len(site.build().errors) == 1  # the file is cached, its error is not forgotten


def test_fixing_a_bad_file_builds_its_pages(site: Site) -> None:
    bad = site.write("notices/fixme.md", notice("待修", "2026-11-20T09:00:00+08:00", category="x"))
    site.build()
    bad.write_text(notice("已修复的通知", "2026-11-20T09:00:00+08:00", category="tips") + "\n")
    result = site.build()
    assert result.errors == [] and "已修复的通知" in site.page("notices/fixme/index.html")


def test_cli_exits_non_zero_and_prints_file_line_errors_but_builds_the_rest(site: Site) -> None:
    site.write("notices/bad.md", notice("坏分类", "2026-11-20T09:00:00+08:00", category="gossip"))
    res = CliRunner().invoke(main, ["build", "--content", str(site.content), "--out",
                                    str(site.out), "--now", "2026-11-22T10:00:00+08:00"])  # fmt: skip
    assert res.exit_code == 1
    assert "notices/bad.md:3:" in res.output
    assert (site.out / "notices/water/index.html").exists()


def test_cli_rejects_now_without_offset(site: Site) -> None:
    res = CliRunner().invoke(main, ["build", "--content", str(site.content), "--out",
                                    str(site.out), "--now", "2026-11-22T10:00"])  # fmt: skip
    assert res.exit_code == 2 and "offset" in res.output


def test_every_portal_command_is_listed_and_found_though_imported_only_when_used() -> None:
    import click

    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert {"build", "publish", "seed", "staff", "owners", "estates", "kpi", "jobs", "infra",
            "doctor"} <= set(names)  # fmt: skip
    for name in names:
        command = main.get_command(ctx, name)
        assert command is not None and command.name == name, name


def test_cli_with_folders_and_url_given_still_admits_the_uploads_bucket(site: Site) -> None:
    res = CliRunner().invoke(main, ["build", "--content", str(site.content), "--out",
                                    str(site.out), "--site-url", "https://portal.example.cn",
                                    "--now", "2026-11-22T10:00:00+08:00"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "portal-local-uploads" in site.page("account/orders/new/index.html")


RUN_CONSOLE_SCRIPT = "import sys; from functions.local.command import run; run()"


def _console_script(
    site: Site, script: str = RUN_CONSOLE_SCRIPT
) -> subprocess.CompletedProcess[str]:
    """``portal build`` of ``site`` as the console script runs it, in a new interpreter."""
    args = ["build", "--content", str(site.content), "--out", str(site.out),
            "--now", "2026-11-22T10:00:00+08:00"]  # fmt: skip
    return subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT,
                          capture_output=True, text=True)  # fmt: skip


def test_the_console_script_ends_a_build_at_once_with_its_report_and_exit_code(site: Site) -> None:
    """``portal build`` run as the console script leaves without the interpreter's teardown
    (:class:`portal.cli.Finished`): its report still reaches the pipe, its exit code still
    says whether a file had a problem, and what it wrote is complete."""
    ok = _console_script(site)
    assert ok.returncode == 0, ok.stderr
    assert "0 errors" in ok.stdout
    assert "特此通知" in site.page("notices/water/index.html")
    assert (site.out / ".portal-build.pickle").exists()

    site.write("notices/bad.md", notice("坏分类", "2026-11-20T09:00:00+08:00", category="gossip"))
    bad = _console_script(site)
    assert bad.returncode == 1
    assert "notices/bad.md:3:" in bad.stdout + bad.stderr


GC_PROBE = """
import gc, sys
from portal.site import report
real = report.print_report
def print_report(result):
    real(result)
    print("collector on:", gc.isenabled())
report.print_report = print_report
from functions.local.command import run
run()
"""


def test_the_console_script_builds_with_the_collector_off_and_the_test_runner_with_it_on(
    site: Site,
) -> None:
    script = _console_script(site, GC_PROBE)
    assert script.returncode == 0, script.stderr
    assert "collector on: False" in script.stdout
    import gc

    assert gc.isenabled()
    res = CliRunner().invoke(main, ["build", "--content", str(site.content), "--out",
                                    str(site.out), "--now", "2026-11-22T10:00:00+08:00"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert gc.isenabled()
