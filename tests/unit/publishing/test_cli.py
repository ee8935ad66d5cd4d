"""``portal notices``: the same workflow, rules and audit from the command line."""

from __future__ import annotations

from click.testing import CliRunner

from portal.cli import main
from portal.wiring import Services
from tests.support.publishing import notice, quiet_publishing, writer


def test_the_command_line_lists_publishes_and_withdraws_with_a_reason_as_its_os_user(
    services: Services,
) -> None:
    p = quiet_publishing(services)
    d = p.create(writer(), notice("命令行发布的公告"))
    services.__dict__["publishing"] = p  # no rebuild task runs in this test
    runner = CliRunner()
    listed = runner.invoke(main, ["notices", "list", "--estate", "lanting"], obj=services)
    assert listed.exit_code == 0 and d.doc_id in listed.output and "命令行发布的公告" in listed.output
    done = runner.invoke(main, ["notices", "publish", d.doc_id], obj=services)
    assert done.exit_code == 0 and "published" in done.output
    again = runner.invoke(main, ["notices", "publish", d.doc_id], obj=services)
    assert again.exit_code == 1 and "这篇稿件已经发布了" in again.output
    gone = runner.invoke(main, ["notices", "withdraw", d.doc_id, "--reason", "发错小区"], obj=services)
    assert gone.exit_code == 0 and "withdrawn" in gone.output
    revs = services.publishing_repo.revisions(d.doc_id)
    assert revs[-1].by.startswith("cli:") and revs[-1].note == "发错小区"
