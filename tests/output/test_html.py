"""The HTML report in a real headless browser, and the PNG charts.

Chromium comes from Debian (.ci/run installs it). Where it is missing these tests are
skipped, unless ALLOCATOR_REQUIRE_BROWSER=1 (CI sets it) makes that a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import run_cli

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"]


def _browser() -> str:
    if CHROMIUM is None:
        if os.environ.get("ALLOCATOR_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required here (apt install chromium)")
        pytest.skip("chromium is not installed")
    return CHROMIUM


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _open(page: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run([_browser(), *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
                          capture_output=True, text=True, timeout=120)


def _console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


@pytest.fixture(scope="module")
def plan(small_instance, tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    result = run_cli(runner, ["solve", str(small_instance), "--export", str(out / "export"), "--html", str(out / "report.html"),
                                 "--plots", str(out / "plots"), "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_report_loads_without_errors_and_shows_the_summary_numbers(plan, tmp_path):
    page = plan / "report.html"
    dom = _open(page, tmp_path, "--dump-dom")
    assert dom.returncode == 0
    assert _console_errors(dom.stderr) == []
    assert '<th class="sortable"' in dom.stdout  # the inline script ran
    assert dom.stdout.count("<svg") >= 3  # links, tiers, supplies charts
    summary = json.loads((plan / "export" / "summary.json").read_text(encoding="utf-8"))
    values = dict(re.findall(r'id="([\w-]+)" data-value="([^"]+)"', dom.stdout))
    assert float(values["kpi-recovery-after"]) == summary["recovery"]["overall"]["after"]
    assert float(values["kpi-recovery-before"]) == summary["recovery"]["overall"]["before"]
    assert float(values["kpi-lowest-after"]) == summary["recovery"]["lowest_listed_link"]["after"]
    assert float(values["kpi-output-after"]) == summary["weighted_output"]["after"]
    assert int(values["used-boxes"]) == summary["supplies"]["boxes"]["used"]
    shot = tmp_path / "shot.png"
    done = _open(page, tmp_path, f"--screenshot={shot}", "--window-size=1000,1400")
    assert done.returncode == 0 and _png_size(shot.read_bytes()) == (1000, 1400)


def test_report_is_self_contained(plan):
    text = (plan / "report.html").read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="(https?:)?//', text)  # no CDN, no network
    assert "@page { size: A4" in text


def test_png_charts(plan):
    sizes = {p.name: _png_size(p.read_bytes()) for p in (plan / "plots").iterdir()}
    assert set(sizes) == {"links.png", "tiers.png", "supplies.png"}
    assert sizes["links.png"] == (1050, int(round(150 * (0.55 * 6 + 1.2))))  # 7 in wide at 150 dpi, 6 links
    assert all(p.stat().st_size > 10_000 for p in (plan / "plots").iterdir())


def test_chinese_report_and_sweep(small_instance, tmp_path):
    page = tmp_path / "zh.html"
    result = run_cli(runner, ["solve", str(small_instance), "--lang", "zh", "--html", str(page), "--plots", str(tmp_path / "p"), "-q"])
    assert result.exit_code == 0
    text = page.read_text(encoding="utf-8")
    for label in ("复工复产物资分配方案", "产能恢复率", "包车计划", "未获分配的企业", "环节：印染", "A类（重点企业）"):
        assert label in text
    assert 'lang="zh-CN"' in text
    dom = _open(page, tmp_path, "--dump-dom")
    assert _console_errors(dom.stderr) == []
    sweep = tmp_path / "sweep.html"
    result = run_cli(runner, ["whatif", str(small_instance), "--vary", "supply.masks=100000,650000", "--html", str(sweep),
                                 "--plots", str(tmp_path / "sp"), "-q", "--lang", "zh", "--workers", "1"])
    assert result.exit_code == 0, result.output
    dom = _open(sweep, tmp_path, "--dump-dom")
    assert _console_errors(dom.stderr) == [] and "<svg" in dom.stdout and "情景对比" in dom.stdout
    assert _png_size((tmp_path / "sp" / "sweep.png").read_bytes()) == (1125, 510)


def test_missing_cjk_font_is_a_clear_warning(small_instance, tmp_path, monkeypatch):
    import allocator.output.charts as charts

    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    result = run_cli(runner, ["solve", str(small_instance), "--lang", "zh", "--plots", str(tmp_path / "p"), "-q"])
    assert result.exit_code == 0
    assert "no CJK font found" in result.stderr and "fonts-noto-cjk" in result.stderr
