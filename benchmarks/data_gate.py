"""Time the baked project's data gate (validate.validate) on synthetic data of 10k, 100k and 1M rows.

The data is sampled from the baked reference profile (inverse CDF of its quantiles for numbers,
with each number's correlation to the target; its shares for categories), so it should pass the
gate; the number of failing checks and a digest of every verdict are printed. The same sizes are then
measured on the ingested data set resampled with noise, which is NOT drawn from the profile.
Per size: wall time of the gate, rows per second, the time ratio to the previous size, and the
peak memory the gate allocates over the frame's own size. Memory is measured with tracemalloc,
started after the frame is built, in a second run of the gate so tracing does not slow the timed one.
Targets: 1,000,000 rows x 31 columns in at most 8 s; time grows about linearly (at most 12x per
10x rows); peak memory at most 3x the frame.
"""

import argparse
import hashlib
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from bench import bake, module_name, run
from cd4ml.pipeline import validate
from cd4ml.quality import profile
from cd4ml.quality.contract_file import load_contract

SIZES = (10_000, 100_000, 1_000_000)
SECONDS_LIMIT, RATIO_LIMIT, MEMORY_LIMIT = 8.0, 12.0, 3.0


def load_gate(root: Path):
    """Bake the default project; return gate(frame) -> results, the reference profile and its QUANTILES."""
    project = bake(root)
    name = module_name(project)
    contract = load_contract(project / "contract.yaml")
    reference = profile.read_profile(project / "data/reference/profile.json")
    params = yaml.safe_load((project / "params.yaml").read_text())
    target, limits = params["ingest"]["target"], params["validate"]
    run(project, "python", "-m", name, "ingest")
    dataset = pd.read_parquet(project / params["paths"]["dataset"])
    gate = lambda frame: validate.validate(frame, contract, reference, limits, target)  # noqa: E731
    return gate, reference, profile.QUANTILES, dataset


def draw_number(column: dict, quantiles: np.ndarray, codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Inverse CDF of the column's quantiles at uniform draws; for a share of the rows the draw comes from
    the target class's side of [0, 1] (still uniform overall), so the target correlation matches too."""
    rows, high = len(codes), codes.mean()
    spread = rng.random(rows)
    if (column["target_correlation"] or 0) < 0:
        sided = np.where(codes, high * spread, high + (1 - high) * spread)
    else:
        sided = np.where(codes, 1 - high + high * spread, (1 - high) * spread)
    strongest = abs(np.corrcoef(np.interp(sided, quantiles, column["quantiles"]), codes)[0, 1])
    share = min(abs(column["target_correlation"] or 0) / strongest, 1.0)
    uniform = np.where(rng.random(rows) < share, sided, rng.random(rows))
    return np.interp(uniform, quantiles, column["quantiles"])


def sample(profile: dict, quantiles: np.ndarray, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """Categories drawn by their shares (the target cast back to int64), numbers by draw_number."""
    columns = {}
    for name, column in profile["columns"].items():
        if column["kind"] == "category":
            values, shares = zip(*column["shares"].items(), strict=True)
            columns[name] = rng.choice(np.array(values), size=rows, p=np.array(shares) / sum(shares))
    target = columns[profile["target"]] = columns[profile["target"]].astype(np.int64)
    codes = (target == max(np.unique(target), key=str)).astype(float)
    for name, column in profile["columns"].items():
        if column["kind"] == "number":
            columns[name] = draw_number(column, quantiles, codes, rng)
    return pd.DataFrame({name: columns[name] for name in profile["columns"]})


def resample(dataset: pd.DataFrame, profile: dict, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """Rows of the ingested data set drawn with replacement, each number moved by noise of 1% of its
    column's spread. Like real drift-free data, it is close to the profile but not drawn from its
    quantiles: its KS distance is small but not tiny, the case where an exact KS p-value is slow."""
    frame = dataset.iloc[rng.integers(0, len(dataset), rows)].reset_index(drop=True)
    for name, column in profile["columns"].items():
        if column["kind"] == "number":
            values = frame[name].to_numpy(dtype=float)
            frame[name] = values + rng.normal(0, 0.01 * (np.nanstd(values) or 1.0), rows)
    return frame


def verdicts(results: list) -> str:
    """A short digest of every check's pass/fail, to compare the gate's verdicts across versions."""
    text = "\n".join(f"{result.check}|{result.column}|{result.passed}" for result in results)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def measure(gate, frame: pd.DataFrame) -> tuple[float, float, float, int, str]:
    """Seconds of one gate run (wall and this process's CPU, which a machine shared with other work inflates
    less), (second run) peak traced memory / frame size, failing checks, verdicts."""
    start, cpu = time.perf_counter(), time.process_time()
    results = gate(frame)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    tracemalloc.start()
    gate(frame)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    failed = sum(not result.passed for result in results)
    return seconds, cpu, peak / frame.memory_usage(deep=True).sum(), failed, verdicts(results)


def report(kind: str, rows: list[tuple[int, int, float, float, float, int, str]]) -> None:
    print(f"\n{kind}")
    line = "{:>10} {:>7} {:>8} {:>7} {:>10} {:>7} {:>11} {:>6} {:>13}"
    print(line.format("rows", "columns", "seconds", "cpu s", "rows/s", "x prev", "peak/frame", "failed", "verdicts"))
    previous = None
    for count, width, seconds, cpu, memory, failed, digest in rows:
        ratio = f"{seconds / previous:.2f}" if previous else "-"
        speed = f"{count / seconds:,.0f}"
        cells = (f"{seconds:.2f}", f"{cpu:.2f}", speed, ratio, f"{memory:.2f}", failed, digest)
        print(line.format(f"{count:,}", width, *cells))
        previous = seconds
    count, width, seconds = rows[-1][:3]
    linear = all(b[2] / a[2] <= RATIO_LIMIT / 10 * b[0] / a[0] for a, b in zip(rows, rows[1:], strict=False))
    print()
    for target, ok in (
        (f"{count:,} rows x {width} columns in <= {SECONDS_LIMIT:.0f} s", seconds <= SECONDS_LIMIT),
        (f"time grows <= {RATIO_LIMIT:.0f}x per 10x rows (linear: 10x)", linear),
        (f"peak memory <= {MEMORY_LIMIT:.0f}x the frame", all(row[4] <= MEMORY_LIMIT for row in rows)),
    ):
        print(f"{target:<48} {'pass' if ok else 'FAIL'}")


def row_counts(text: str) -> list[int]:
    counts = [int(count) for count in text.split(",")]
    if min(counts) < 1:
        raise ValueError(text)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=row_counts, default=SIZES, help="comma-separated row counts, e.g. 1000,10000")
    sizes = parser.parse_args().sizes
    rng = np.random.default_rng(42)
    with tempfile.TemporaryDirectory(prefix="cd4ml-gate-") as root:
        gate, profile, quantiles, dataset = load_gate(Path(root))
        gate(sample(profile, quantiles, 1_000, rng))  # warm up: the first call imports and compiles
        kinds = {
            "drawn from the profile's quantiles": lambda size: sample(profile, quantiles, size, rng),
            "the data set resampled with 1% noise (not drawn from the profile)": lambda size: resample(
                dataset, profile, size, rng
            ),
        }
        for kind, draw in kinds.items():
            rows = []
            for size in sizes:
                frame = draw(size)
                rows.append((size, frame.shape[1], *measure(gate, frame)))
                print(f"{size:,} rows measured", file=sys.stderr, flush=True)
            report(kind, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
