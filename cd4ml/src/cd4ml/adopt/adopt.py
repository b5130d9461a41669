"""adopt: train on your own data file: roles, contract, profile and params fitted to it, a run.

`python -m <package> adopt data.csv --target label [--task classification|regression] [--replace]`
copies the file under data/raw/ and tracks it with DVC, detects its CSV dialect, the task and each
column's role, drafts contract.yaml and the reference profile, fits params.yaml to the data (its
comments kept) and names the registered model after the data set and task, runs `dvc repro`, sets
the metric gate a little below the first model, and prints what it decided and what to commit.

A project holds one data set: --replace removes the current one from DVC and data/raw/. adopt is
one transaction: if any step fails, or Ctrl-C stops it, every file it changed is put back.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..config import PARAMS_FILE, load_params, param, path
from ..errors import PipelineError, shorten
from ..files import atomic_path, read_model, write_json, write_text
from ..measurement import measure
from ..quality.contract import draft
from ..quality.contract_file import render
from ..quality.profile import make_profile
from ..quality.reading import check_target, detect_dialect, read_table
from ..quality.roles import detect_role, not_features
from ..scoring import METRICS, PRIMARY_METRIC, dvc_plots
from . import decide, dvc_file, params_file, workspace
from .transaction import transaction
from .workspace import dvc

DVC_FILES = [PARAMS_FILE, Path("dvc.yaml"), Path("dvc.lock")]
SCRATCH = Path(".dvc/tmp")  # where adopt's saved copies wait: ignored by git, on the project's disk


def arguments(parser) -> None:
    parser.add_argument("file", type=Path, help="a CSV or parquet file")
    parser.add_argument("--target", required=True, help="the column to predict")
    parser.add_argument(
        "--task", choices=["classification", "regression"], help="default: detected"
    )
    parser.add_argument("--no-repro", action="store_true", help="prepare everything, run nothing")
    parser.add_argument(
        "--replace", action="store_true", help="replace the data set the project holds now"
    )
    parser.add_argument(
        "--na-values",
        action="append",
        default=[],
        metavar="MARKER",
        help='a text that means a missing value in a CSV file, such as "?" (repeat for more); '
        "written to params.yaml's ingest.na_values",
    )


def destination(file: Path, raw: Path) -> Path:
    """Where the file lives under raw/: itself, when already there."""
    if not file.is_file() or file.suffix.lower() not in workspace.READERS:
        raise PipelineError(f"{file}: not a CSV or parquet file")
    if any(character in file.name for character in "\n\r"):
        raise PipelineError(
            f"{file.name!r}: a line break in a file name would split DVC's .gitignore, which "
            "names one file a line; rename the file"
        )
    return file if file.resolve().is_relative_to(raw.resolve()) else raw / file.name


@dataclass
class Plan:
    """What adopt decided from the file, before it changes anything."""

    placed: Path  # where the file lives under raw/
    frame: pd.DataFrame
    dialect: dict
    target: str
    task: tuple[str, str]  # the task, and why
    model: tuple[str, str]  # train.model, and why
    test_size: float
    roles: dict  # column -> (role, why)
    model_name: str  # the registered model of this data set and task
    replaced: list[Path]  # the data files it replaces


def main(
    params: dict,
    file: Path,
    target: str,
    task: str | None,
    no_repro: bool,
    replace: bool = False,
    na_values: list[str] = (),
) -> None:
    plan = prepare(params, file, target, task, replace, list(na_values))
    changed = touched(params, plan.placed, plan.replaced, no_repro)
    scratch = SCRATCH if SCRATCH.parent.is_dir() else Path(".")
    try:
        with transaction(changed, plan.replaced, scratch):
            apply(params, file, plan)
            run = [] if no_repro else first_run(params)
    except KeyboardInterrupt:
        raise PipelineError("adopt: interrupted; every file it had changed is as it was") from None
    except PipelineError as error:
        raise PipelineError(f"{error} (adopt put every file it had changed back)") from None
    commit = workspace.commit_line(workspace.to_commit([*changed, *plan.replaced]), plan.placed)
    review = "  review: contract.yaml (roles, ranges, allowed values) and params.yaml, then commit:"
    print("\n".join([*summary(plan, path(params, "raw")), *run, review, f"  {commit}"]))


def prepare(
    params: dict, file: Path, target: str, task: str | None, replace: bool, na_values: list[str]
) -> Plan:
    """Read the file and decide everything; nothing is written yet."""
    raw = path(params, "raw")
    placed = destination(file, raw)
    csv = file.suffix.lower() == ".csv"
    dialect = {**detect_dialect(file), "na_values": na_values} if csv else {}
    frame = read_table(file, dialect or None)
    check_target(frame.columns, target, file)
    task, task_reason = decide.task_for(frame[target], task)
    featurize = params.get("featurize") or {}
    test_size = decide.test_size_for(
        int(frame[target].notna().sum()), featurize.get("test_size", 0.2),
        featurize.get("min_test_rows", 20),
    )  # fmt: skip
    task_changed = task != param(params, "train.task")
    model = decide.model_for(len(frame), param(params, "train.model"), task_changed)
    roles = {name: detect_role(frame[name]) for name in frame.columns if name != target}
    replaced = workspace.replaced(raw, placed, replace)
    name = model_name(params, raw, placed, task)
    return Plan(
        placed, frame, dialect, target, (task, task_reason), model, test_size, roles, name, replaced
    )


def apply(params: dict, file: Path, plan: Plan) -> None:
    """Replace the old data, place and track the file, draft contract and profile, fit params."""
    for old in plan.replaced:
        dvc("remove", str(workspace.dvc_file(old)))
    if plan.placed != file:
        with atomic_path(plan.placed) as temporary:
            shutil.copyfile(file, temporary)
    roles = {name: role for name, (role, _) in plan.roles.items()}
    contract = draft(plan.frame, plan.target, plan.task[0], roles)
    write_text(render(contract), path(params, "contract"))
    skip = not_features(roles, plan.target)
    write_json(make_profile(plan.frame, plan.target, skip), path(params, "profile"))
    configure(params, plan)
    dvc("add", str(plan.placed))


def model_name(params: dict, raw: Path, placed: Path, task: str) -> str:
    """The registered model of this data set and task, from the configured name."""
    current = workspace.data_files(raw) if param(params, "ingest.source") == "raw" else []
    previous = decide.lineage(current[0], param(params, "train.task")) if current else None
    return decide.model_name_for(
        param(params, "mlflow.model_name"), previous, decide.lineage(placed, task)
    )


def touched(params: dict, placed: Path, replaced: list[Path], no_repro: bool) -> list[Path]:
    """Every file adopt may change, but the replaced data files (moved aside, not copied)."""
    data = [placed, workspace.dvc_file(placed), placed.parent / ".gitignore"]
    for old in replaced:
        data += [workspace.dvc_file(old), old.parent / ".gitignore"]
    drafted = [path(params, "contract"), path(params, "profile")]
    outputs = [] if no_repro else workspace.pipeline_outputs()
    return list(dict.fromkeys([*DVC_FILES, *drafted, *data, *outputs]))


def configure(params: dict, plan: Plan) -> None:
    """params.yaml (and, for a new task, dvc.yaml's plots) for the adopted file."""
    task = plan.task[0]
    primary = param(params, "evaluate.primary_metric")
    primary = primary if primary in METRICS[task] else PRIMARY_METRIC[task]
    changes = {
        "ingest.source": "raw",
        "ingest.target": plan.target,
        **{f"ingest.{key}": value for key, value in plan.dialect.items()},
        "train.task": task,
        "train.model": plan.model[0],
        "featurize.test_size": plan.test_size,
        "evaluate.primary_metric": primary,
        # The last data set's gate means nothing here; first_run sets this one's.
        "evaluate.baseline_margin": decide.BASELINE_MARGIN.get(primary, 0.0),
        "evaluate.thresholds": {},
        "mlflow.model_name": plan.model_name,
    }
    params_file.update(PARAMS_FILE, changes, {"train.task": "classification or regression"})
    old = param(params, "train.task")
    if task != old:
        wanted, before = dvc_plots(task), dvc_plots(old)
        stale = {next(iter(plot)) for plot in before} - {next(iter(plot)) for plot in wanted}
        dvc_file.set_plots(Path("dvc.yaml"), wanted, stale)


def first_run(params: dict) -> list[str]:
    """The pipeline up to train, the metric gate just below what that first model reaches, then
    the rest of the pipeline against that gate: one evaluation logged, not a throwaway one."""
    dvc("repro", "train")
    params = load_params(PARAMS_FILE)  # as adopt has just written it
    metrics, baseline, _ = measure(params, read_model(path(params, "candidate")))
    primary = param(params, "evaluate.primary_metric")
    changes = {
        "evaluate.thresholds": decide.floors(metrics),
        "evaluate.baseline_margin": decide.baseline_margin(metrics, baseline, primary),
    }
    params_file.update(PARAMS_FILE, changes)
    dvc("repro")
    scores = ", ".join(f"{name} {value:.3f}" for name, value in metrics.items())
    gate = ", ".join(f"{name} {value}" for name, value in changes["evaluate.thresholds"].items())
    return [
        f"  first run: {scores}",
        f"  metric gate (evaluate.thresholds): {gate}; "
        f"baseline_margin {changes['evaluate.baseline_margin']}",
    ]


def summary(plan: Plan, raw: Path) -> list[str]:
    """What adopt decided, in a few lines."""
    read = ", ".join(f"{key} {value!r}" for key, value in plan.dialect.items()) or "parquet"
    kept_out = [
        f"{name[:30]} ({role}: {reason})" for name, (role, reason) in plan.roles.items()
        if role != "feature"
    ]  # fmt: skip
    features = sum(role == "feature" for role, _ in plan.roles.values())
    out = "; ".join(kept_out)[:400] if kept_out else "none"
    lines = [
        f"adopt: {plan.placed}: {len(plan.frame)} rows, {plan.frame.shape[1]} columns ({read})",
        f"  task: {plan.task[0]} ({plan.task[1]}); target {plan.target!r}",
        f"  features: {features}; kept out of the model: {out}",
        f"  model: {plan.model[0]} ({plan.model[1]})",
        f"  registered model (mlflow.model_name): {plan.model_name}",
    ]
    if plan.replaced:
        replaced = shorten(", ".join(map(str, plan.replaced)), 200)
        lines.append(f"  replaced: {replaced}, removed from DVC and {raw}")
    return lines
