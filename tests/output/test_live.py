"""Live progress on stderr: drawn on a terminal, never into a pipe, --quiet or --format json."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest
from rich.console import Console

from allocator.output.live import LiveProgress
from allocator.progress import Event


def test_the_display_follows_the_events():
    shown = LiveProgress(60, "en", started=0.0)
    for event in (Event("stage", 2, text="weighted output"), Event("plan", 2, value=100.0), Event("bound", 2, bound=101.0)):
        shown(event)
    console = Console(record=True, width=80, color_system=None)
    console.print(shown)
    text = console.export_text()
    assert "stage 2/3: max weighted output" in text and "of 60 s" in text
    assert "best plan 100.00 · bound 101.00 · gap 1.0e-02" in text
    shown(Event("claim", 2, value=100.5, bound=100.5, text="optimal"))
    shown(Event("note", 0, text="live_cf_tier|B"))  # explain: which counterfactual is being solved
    console = Console(record=True, width=80, color_system=None)
    console.print(shown)
    assert "re-solving: as a tier B enterprise" in console.export_text()
    chinese = LiveProgress(None, "zh")
    chinese(Event("stage", 3, text="units"))
    chinese(Event("plan", 3, value=12.0))
    chinese(Event("bound", 3, bound=10.0))
    assert abs(chinese.gap() - 2 / 12) < 1e-12  # stage 3 minimises: the bound lies below


def _on_a_terminal(args: list[str]) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal (stdout a pipe); returns code, stdout, stderr."""
    master, slave = pty.openpty()
    env = dict(os.environ, COLUMNS="80", TERM="xterm")
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "allocator", *args], stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    out = process.stdout.read().decode("utf-8")
    process.wait(timeout=120)
    os.close(master)
    return process.returncode, out, b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("extra,drawn", [([], True), (["--format", "json"], False), (["-q"], False)])
def test_progress_is_drawn_on_a_terminal_only_when_a_person_reads_it(small_instance, extra, drawn):
    code, out, err = _on_a_terminal(["solve", str(small_instance), "--time-limit", "20", *extra])
    assert code == 0, err
    assert ("stage 1: optimal" in err and "of 20 s" in err) is drawn, err
    if "--format" in extra:
        assert out.lstrip().startswith("{")  # stdout holds the JSON alone


def test_no_progress_into_a_pipe(small_instance):
    done = subprocess.run([sys.executable, "-m", "allocator", "solve", str(small_instance), "--time-limit", "20"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "of 20 s" not in done.stderr and "\x1b[" not in done.stderr
