"""The ``allocator`` command: thin typer commands over the library, one module per command group.

    common    the app, shared options, exit codes
    solve     solve
    explain   explain
    validate  validate, generate, keys
    whatif    whatif
    template  template (an empty register workbook)
    assign    assign (commissioners)
    plan      plan (a week's plan)
"""

from __future__ import annotations

import sys
import time

_IMPORTED = time.perf_counter()  # before typer, rich and the commands load: see common.PROCESS_STARTED

# each module registers its commands, in the order --help lists them
from allocator.cli import solve  # noqa: F401, I001
from allocator.cli import explain  # noqa: F401
from allocator.cli import validate  # noqa: F401
from allocator.cli import whatif  # noqa: F401
from allocator.cli import template  # noqa: F401
from allocator.cli import assign  # noqa: F401
from allocator.cli import plan  # noqa: F401
from allocator.cli import common
from allocator.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    common.PROCESS_STARTED = _IMPORTED
    # A GBK (or other legacy) console must not crash on a character it cannot show.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    app(prog_name="allocator")
