"""The service's installed size: the image's environment when the compiled model answers, against the
full one (what the image held before, and still holds when scikit-learn answers).

Bakes the default project, writes the serving-overrides.txt that `export` writes when model.onnx
answers (cd4ml.serving.image), and installs the project twice into fresh virtual environments with
the Dockerfile's `uv pip install` (files copied, not linked, so that sizes are real): with the
overrides and without. Prints each environment's packages and size on disk; target: the lean one at
most a third of the full one.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import bake
from cd4ml.serving import image

BIN = Path(sys.executable).parent
TARGET = 1 / 3


def install(project: Path, target: Path, overrides: list[str]) -> None:
    env = {**os.environ, "UV_LINK_MODE": "copy"}
    subprocess.run([BIN / "uv", "venv", "--quiet", "--python", sys.executable, target], check=True)
    command = [BIN / "uv", "pip", "install", "--quiet", "--python", target / "bin/python"]
    command += ["--constraint", "requirements.lock", *overrides, "."]
    subprocess.run(command, cwd=project, env=env, check=True)


def size_mb(folder: Path) -> float:
    return sum(file.stat().st_size for file in folder.rglob("*") if file.is_file()) / 2**20


def packages(target: Path) -> int:
    listed = subprocess.run([BIN / "uv", "pip", "freeze", "--python", target / "bin/python"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    return len(listed.splitlines())


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cd4ml-bench-") as root:
        project = bake(Path(root))
        overrides = project / image.FILE
        overrides.write_text(image.overrides(True))
        sizes = {}
        for name, extra in (("full", []), ("ONNX image", ["--override", str(overrides)])):
            target = Path(root) / name.replace(" ", "-")
            install(project, target, extra)
            sizes[name] = (packages(target), size_mb(target))
    row = "{:<12} {:>9} {:>10}"
    print(row.format("environment", "packages", "size"))
    for name, (count, megabytes) in sizes.items():
        print(row.format(name, count, f"{megabytes:.0f} MB"))
    ratio = sizes["ONNX image"][1] / sizes["full"][1]
    verdict = "pass" if ratio <= TARGET else "FAIL"
    print(f"ONNX image / full = {ratio:.2f}   target <= {TARGET:.2f}   {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
