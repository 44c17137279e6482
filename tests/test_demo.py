"""`salesbot demo` on a fresh folder: the report's images, a transcript and the wallboard's
screenshot (when Chromium and chromedriver are there; CI must have them), no Slack needed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.charts import png_size
from bot.config import load_settings
from bot.dev import wallboard_shot
from bot.dev.demo import run_demo


@pytest.mark.slow
def test_demo_writes_the_weekly_report_images_and_transcript(tmp_path: Path) -> None:
    out = tmp_path / "demo-out"
    written = run_demo(load_settings({}), out)
    names = sorted(p.name for p in written)
    assert "transcript.txt" in names
    final = [n for n in names if n.startswith("report-2026-11-23-")]
    assert final == [
        "report-2026-11-23-funnel.png",
        "report-2026-11-23-movement.png",
        "report-2026-11-23-pipeline.png",
        "report-2026-11-23-progress.png",
        "report-2026-11-23-won-per-week.png",
    ]
    for name in final:
        width, _height = png_size((out / name).read_bytes())
        assert width >= 1200
    transcript = (out / "transcript.txt").read_text(encoding="utf-8")
    assert "#C1: Weekly report · Week of Nov 23" in transcript
    assert transcript.count("Good morning") >= 25
    assert "李雷" in transcript or "<@U2>" in transcript
    assert ":trophy:" in transcript
    # The fat-fingered win of Wednesday: its post edited, and one reply saying why.
    assert "_(undone)_" in transcript and "Undone by <@" in transcript
    # Check-ins by DM reply (English and Chinese blockers) and by `/standup <text>`.
    assert "waiting on legal" in transcript and "等法务审核" in transcript
    assert "Demoed to two leads" in transcript
    # A contest through the week: its start, its standings message edited, one result.
    assert transcript.count("*Call week* starts now!") == 1
    assert "*Call week* standings" in transcript
    assert transcript.count("*Call week* is over!") == 1 and "Prize: Team dinner" in transcript
    # The wallboard on the contest's last morning, photographed in headless Chromium.
    why = wallboard_shot.missing()
    if why is None:
        assert "wallboard.png" in names
        assert png_size((out / "wallboard.png").read_bytes()) == (1920, 1080)
        assert transcript.count("[wallboard screenshot: wallboard.png") == 1
    else:
        assert os.environ.get("CI") != "true", f"CI=true, but no wallboard screenshot: {why}"
        assert "wallboard.png" not in names
        assert f"[wallboard screenshot skipped: {why}]" in transcript
