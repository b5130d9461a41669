"""adopt: train on your own data file: roles, contract, profile and params fitted to it, a run.

`python -m <package> adopt data.csv --target label [--task classification|regression]` copies the
file under data/raw/ and tracks it with DVC, detects its CSV dialect, the task and each column's
role, drafts contract.yaml and the reference profile, fits params.yaml to the data (its comments
kept), runs `dvc repro`, sets the metric gate a little below the first model, and prints what it
decided and what to review.
"""

import shutil
import subprocess
from pathlib import Path

from ..config import PARAMS_FILE, load_params, param, path
from ..errors import PipelineError
from ..files import atomic_path, read_json, write_json, write_text
from ..quality.contract import draft
from ..quality.contract_file import render
from ..quality.profile import make_profile
from ..quality.reading import check_target, detect_dialect, read_table, shorten
from ..quality.roles import detect_role, not_features
from ..scoring import METRICS, PRIMARY_METRIC, dvc_plots
from . import decide, params_file

READERS = (".csv", ".parquet")


def arguments(parser) -> None:
    parser.add_argument("file", type=Path, help="a CSV or parquet file")
    parser.add_argument("--target", required=True, help="the column to predict")
    parser.add_argument(
        "--task", choices=["classification", "regression"], help="default: detected"
    )
    parser.add_argument("--no-repro", action="store_true", help="prepare everything, run nothing")


def destination(file: Path, raw: Path) -> Path:
    """Where the file lives under raw/: itself, when already there."""
    if not file.is_file() or file.suffix.lower() not in READERS:
        raise PipelineError(f"{file}: not a CSV or parquet file")
    return file if file.resolve().is_relative_to(raw.resolve()) else raw / file.name


def refuse_others(placed: Path, raw: Path) -> None:
    """ingest reads every data file under raw/: adopting one file means it is the only one."""
    others = [
        other
        for other in raw.rglob("*")
        if other.suffix.lower() in READERS and other.resolve() != placed.resolve()
    ]
    if others:
        raise PipelineError(
            f"{raw}: also holds {shorten(', '.join(map(str, others[:3])), 120)}, which ingest "
            "would read too; remove them (`dvc remove <file>.dvc`) first"
        )


def dvc(*arguments: str) -> str:
    """Run DVC; its error is one line, and the last lines of its output say which stage."""
    result = subprocess.run(["dvc", *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        reason = lines[-1].removeprefix("error: ") if lines else result.stderr.strip()[-300:]
        raise PipelineError(f"dvc {arguments[0]} failed: {shorten(reason, 400)}")
    return result.stdout


def main(params: dict, file: Path, target: str, task: str | None, no_repro: bool) -> None:
    placed = destination(file, path(params, "raw"))
    dialect = detect_dialect(file) if file.suffix.lower() == ".csv" else {}
    frame = read_table(file, dialect or None)
    check_target(frame.columns, target, file)
    task, task_reason = decide.task_for(frame[target], task)
    featurize = params.get("featurize") or {}
    test_size = decide.test_size_for(
        int(frame[target].notna().sum()), featurize.get("test_size", 0.2),
        featurize.get("min_test_rows", 20),
    )  # fmt: skip
    task_changed = task != param(params, "train.task")
    model, model_reason = decide.model_for(len(frame), param(params, "train.model"), task_changed)
    roles = {name: detect_role(frame[name]) for name in frame.columns if name != target}
    refuse_others(placed, path(params, "raw"))
    if placed != file:  # only now: a refused file must not be left where ingest reads
        with atomic_path(placed) as temporary:
            shutil.copyfile(file, temporary)
    contract = draft(frame, target, task, {name: role for name, (role, _) in roles.items()})
    write_text(render(contract), path(params, "contract"))
    skip = not_features({name: role for name, (role, _) in roles.items()}, target)
    write_json(make_profile(frame, target, skip), path(params, "profile"))
    configure(params, target, dialect, task, model, test_size)
    dvc("add", str(placed))
    lines = summary(
        placed, frame, dialect, target, (task, task_reason), roles, (model, model_reason)
    )
    if not no_repro:
        lines += first_run(params)
    print("\n".join(lines))


def configure(
    params: dict, target: str, dialect: dict, task: str, model: str, test_size: float
) -> None:
    """params.yaml (and, for a new task, dvc.yaml's plots) for the adopted file."""
    changes = {
        "ingest.source": "raw",
        "ingest.target": target,
        **{f"ingest.{key}": value for key, value in dialect.items()},
        "train.task": task,
        "train.model": model,
        "featurize.test_size": test_size,
        "evaluate.thresholds": {},  # the demo's floors mean nothing here; set after the run
    }
    if param(params, "evaluate.primary_metric") not in METRICS[task]:
        changes["evaluate.primary_metric"] = PRIMARY_METRIC[task]
    params_file.update(PARAMS_FILE, changes, {"train.task": "classification or regression"})
    if task != param(params, "train.task"):
        params_file.set_plots(Path("dvc.yaml"), dvc_plots(task))


def first_run(params: dict) -> list[str]:
    """dvc repro, then the metric gate just below what the first model reached, and again."""
    dvc("repro")
    params = load_params(PARAMS_FILE)  # as adopt has just written it
    metrics = read_json(path(params, "metrics")) or {}
    evaluate = params.get("evaluate") or {}
    primary = evaluate.get("primary_metric", "")
    changes = {
        "evaluate.thresholds": decide.floors(metrics),
        "evaluate.baseline_margin": decide.baseline_margin(
            metrics, primary, evaluate.get("baseline_margin", 0.0)
        ),
    }
    params_file.update(PARAMS_FILE, changes)
    dvc("repro")  # evaluate and report again, against the new gate
    scores = ", ".join(f"{name} {value:.3f}" for name, value in metrics.items())
    gate = ", ".join(f"{name} {value}" for name, value in changes["evaluate.thresholds"].items())
    return [f"  first run: {scores}", f"  metric gate (evaluate.thresholds): {gate}"]


def summary(placed, frame, dialect, target, task, roles, model) -> list[str]:
    """What adopt decided, in a few lines, and what to review before committing."""
    read = ", ".join(f"{key} {value!r}" for key, value in dialect.items()) or "parquet"
    kept_out = [
        f"{name[:30]} ({role}: {reason})" for name, (role, reason) in roles.items()
        if role != "feature"
    ]  # fmt: skip
    features = sum(role == "feature" for role, _ in roles.values())
    out = "; ".join(kept_out)[:400] if kept_out else "none"
    return [
        f"adopt: {placed}: {len(frame)} rows, {frame.shape[1]} columns ({read})",
        f"  task: {task[0]} ({task[1]}); target {target!r}",
        f"  features: {features}; kept out of the model: {out}",
        f"  model: {model[0]} ({model[1]})",
        "  review: contract.yaml (roles, ranges, allowed values) and params.yaml, then commit:",
        f"  git add {placed}.dvc {placed.parent}/.gitignore contract.yaml params.yaml dvc.yaml "
        "data/reference dvc.lock reports && git commit -m 'Adopt my data'",
    ]
