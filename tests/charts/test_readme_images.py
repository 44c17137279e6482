"""The README's images are what `salesbot demo --readme-images docs/images` draws today.

The demo is seeded and its clock frozen, and Agg draws the same pixels from the same figure,
so a chart change that leaves docs/images stale fails here. The pixels are compared, not
the files, so a different zlib build compressing them otherwise does not matter.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from matplotlib.image import imread

from bot.cli import main
from bot.dev.demo import README_CHARTS

REPO = Path(__file__).resolve().parents[2]
IMAGES = REPO / "docs" / "images"
REGENERATE = "salesbot demo --readme-images docs/images"


def test_the_readme_shows_the_demo_charts() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"\]\(docs/images/([\w-]+)\.png\)", readme)
    assert sorted(linked) == sorted(README_CHARTS)


def test_the_committed_images_are_what_the_demo_draws(tmp_path: Path) -> None:
    images = tmp_path / "images"
    status = main(["demo", "--out", str(tmp_path / "demo-out"), "--readme-images", str(images)])
    assert status == 0
    assert sorted(p.name for p in images.iterdir()) == sorted(f"{c}.png" for c in README_CHARTS)
    for chart in README_CHARTS:
        drawn, committed = imread(images / f"{chart}.png"), imread(IMAGES / f"{chart}.png")
        assert drawn.shape == committed.shape, f"{chart}.png changed size: run `{REGENERATE}`"
        changed = int(np.count_nonzero((drawn != committed).any(axis=-1)))
        assert changed == 0, f"{chart}.png: {changed} pixels differ: run `{REGENERATE}`"
