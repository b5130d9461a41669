"""Time `adopt` and a cold `dvc repro` on a generated 1,000,000-row mixed-type CSV file.

The file has numbers (floats, integers with gaps), categories (one with gaps), an ID and a date
column, and a binary label that depends on some of them. In a fresh bake (serving off), it runs
`adopt --no-repro` (reading, detection, contract, profile, params, `dvc add`), then each stage with
`dvc repro -s`, and prints per step the seconds and the peak RSS of its largest process.
Targets: everything under 3 minutes on 2 cores with the model adopt picks, and peak RSS under 4x
the data set's in-memory size (pandas, deep).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from bench import TEMPLATE, module_name, quiet_stdout
from cookiecutter.main import cookiecutter

ROWS = 1_000_000
SECONDS_LIMIT, MEMORY_LIMIT = 180.0, 4.0


def generate(rows: int, seed: int = 0) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{number:08d}" for number in range(rows)],
            "signup": pd.Timestamp("2020-01-01") + pd.to_timedelta(generator.integers(0, 1500, rows), unit="D"),
            "age": generator.integers(18, 90, rows).astype(float),
            "income": generator.lognormal(10.5, 0.5, rows).round(2),
            "balance": generator.normal(1000, 400, rows).round(2),
            "products": generator.integers(1, 6, rows),
            "tenure": generator.exponential(4, rows).round(1),
            "region": generator.choice(["north", "south", "east", "west"], rows),
            "channel": generator.choice(["web", "shop", "phone", None], rows, p=[0.5, 0.3, 0.15, 0.05]),
        }
    )
    frame["signup"] = frame["signup"].dt.strftime("%Y-%m-%d")
    frame.loc[generator.random(rows) < 0.03, "age"] = np.nan
    score = 0.03 * (frame["age"].fillna(50) - 50) + (frame["balance"] - 1000) / 400 + (frame["region"] == "west")
    frame["churned"] = np.where(score + generator.normal(0, 1, rows) > 0.5, "yes", "no")
    return frame


def measured(project: Path, *command: str) -> tuple[float, float]:
    """Wall seconds and the peak RSS (MB) of the largest process the command ran."""
    env = dict(os.environ, PYTHONPATH=str(project / "src"))
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    with tempfile.TemporaryFile("w+") as output:  # a file, not a pipe: a full pipe would block the wait
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=project, env=env, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)  # rusage of this process tree, which Popen cannot give
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            sys.exit(f"error: `{' '.join(command)}` exited {process.returncode}\n{output.read()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024


def write_data(file: Path, rows: int) -> None:
    """Run in its own process: a child's peak RSS starts from its parent's, so the parent stays small."""
    start = time.perf_counter()
    frame = generate(rows)
    frame.to_csv(file, index=False)
    memory = pd.read_csv(file).memory_usage(deep=True).sum() / 2**20
    print(f"generated {rows} rows x {frame.shape[1]} columns in {time.perf_counter() - start:.1f} s", flush=True)
    file.with_suffix(".mb").write_text(f"{memory}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--write-data", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.write_data:
        return write_data(options.write_data, options.rows)
    root = Path(tempfile.mkdtemp(prefix="adopt-bench-"))
    with quiet_stdout():
        answers = {"serving": "no"}
        project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(root), extra_context=answers))
    module = module_name(project)
    data = root / "customers.csv"
    subprocess.run([sys.executable, __file__, "--rows", str(options.rows), "--write-data", str(data)], check=True)
    memory = float(data.with_suffix(".mb").read_text())
    command = ["python", "-m", module, "adopt", str(data), "--target", "churned", "--no-repro"]
    steps = {"adopt --no-repro": measured(project, *command)}
    for stage in yaml.safe_load((project / "dvc.yaml").read_text())["stages"]:
        steps[stage] = measured(project, "dvc", "repro", "-s", stage)
    _, idle = measured(project, "python", "-c", "import pandas, pyarrow.parquet, sklearn.ensemble")
    params = yaml.safe_load((project / "params.yaml").read_text())
    print(f"model chosen by adopt: {params['train']['model']}; data set in memory: {memory:.0f} MB")
    print(f"{'step':<18} {'seconds':>8} {'peak RSS MB':>12}")
    for step, (seconds, rss) in steps.items():
        print(f"{step:<18} {seconds:>8.1f} {rss:>12.0f}")
    total, peak = sum(seconds for seconds, _ in steps.values()), max(rss for _, rss in steps.values())
    print(f"{'total':<18} {total:>8.1f} {peak:>12.0f}")
    print(f"a process that only imports pandas, pyarrow and scikit-learn: {idle:.0f} MB")
    verdicts = [
        (f"whole adoption {total:.0f} s <= {SECONDS_LIMIT:.0f} s", total <= SECONDS_LIMIT),
        (f"peak RSS {peak / memory:.2f}x the data set <= {MEMORY_LIMIT}x", peak <= MEMORY_LIMIT * memory),
        (
            f"peak RSS above the imports {(peak - idle) / memory:.2f}x the data set <= {MEMORY_LIMIT}x",
            peak - idle <= MEMORY_LIMIT * memory,
        ),  # fmt: skip
    ]
    for text, passed in verdicts:
        print(f"{'pass' if passed else 'FAIL'}: {text}")


if __name__ == "__main__":
    main()
