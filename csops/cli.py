"""The ``csops`` command, composed here and only here from the command modules.

The command modules import the shell (options, App, the error boundary) and
the library; none imports another command module or this one, so there is no
import cycle to trip over (``tests/test_imports.py`` keeps it that way).
"""

from __future__ import annotations

from csops import (
    cmd_auth,
    cmd_demo,
    cmd_doctor,
    cmd_init,
    cmd_log,
    cmd_notify,
    cmd_orgs,
    cmd_pull,
    cmd_replay,
    cmd_report,
    cmd_rules,
    cmd_sandbox,
    cmd_store,
    cmd_sync,
)
from csops.shell import cli

for command in (cmd_init.init, cmd_doctor.doctor, cmd_pull.pull, cmd_sync.sync, cmd_sync.status, cmd_sync.alerts,
                cmd_rules.rules, cmd_sandbox.sandbox, cmd_demo.demo, cmd_notify.notify,
                cmd_orgs.orgs, cmd_report.report, cmd_report.nps, cmd_store.store, cmd_auth.auth, cmd_log.log):
    cli.add_command(command)

cmd_rules.rules.add_command(cmd_replay.replay_command)

__all__ = ["cli", "main"]


def main() -> None:
    cli.main(prog_name="csops")
