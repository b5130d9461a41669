"""The run report opens offline in a real browser (headless Chromium) with its plots drawn."""

import re
import shutil
import subprocess

import pytest
from PIL import Image

pytestmark = pytest.mark.slow  # a full pipeline run or more; `make test-fast` leaves it out

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "these tests need Chromium: apt-get install chromium (.ci/run installs it)"
    return found


def browse(chromium: str, profile, *arguments: str) -> subprocess.CompletedProcess:
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def test_the_report_renders_its_plots_with_nothing_fetched(reproduced, chromium, tmp_path):
    page = reproduced / "reports/report.html"
    html = page.read_text()
    assert not re.search(r"""<(script|link|img)\b|src=|href=["']?https?:""", html)
    # The default forest compiles to ONNX, proven on the test split by evaluate.
    line = r"Served implementation matches the trained model: yes, max &#124;Δp&#124; = \S+ on \d+ rows"
    assert re.search(line, html)
    dom = browse(chromium, tmp_path / "profile", "--dump-dom", page.as_uri()).stdout
    assert dom.count("<figure") == 4 and dom.count("<svg") >= 4
    shot = tmp_path / "report.png"
    browse(chromium, tmp_path / "profile", "--window-size=1200,2600", f"--screenshot={shot}", page.as_uri())
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000)
    # The plots draw in colour (blue curves, green bars); a page that failed to draw them is black on white.
    coloured = sum(count for count, (red, green, blue) in colours if max(red, green, blue) - min(red, green, blue) > 60)
    assert coloured > 20_000, coloured
