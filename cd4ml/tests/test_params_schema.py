"""params.yaml against params.schema.json: the bake's file is valid, each broken key is one line."""

import copy
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import cd4ml
from cd4ml import compute, scoring
from cd4ml.__main__ import main
from cd4ml.adopt import params_file
from cd4ml.config import load_params
from cd4ml.errors import PipelineError
from cd4ml.params_schema import declared_names, problems, schema, subschema, validator

TEMPLATE = Path(__file__).resolve().parents[2]
TASKS = {"classification": "roc_auc", "regression": "r2"}


@pytest.fixture(scope="module")
def baked(project_folder) -> dict:
    """The rendered project's params.yaml, as the session's task bakes it."""
    return yaml.safe_load((project_folder / "params.yaml").read_text())


def keys(mapping: dict, prefix: tuple = ()) -> list[tuple]:
    """Every key's path in a nested mapping, sections and their keys alike."""
    found = []
    for key, value in mapping.items():
        found.append((*prefix, key))
        if isinstance(value, dict):
            found += keys(value, (*prefix, key))
    return found


def at(params: dict, path: tuple) -> dict:
    """The mapping that holds path's last key."""
    for key in path[:-1]:
        params = params[key]
    return params


def test_the_baked_params_are_valid_and_name_the_schema_of_their_library_version(baked):
    assert problems(baked) == []
    assert load_params() == baked
    first = Path("params.yaml").read_text().splitlines()[0]
    prefix = "# yaml-language-server: $schema=https://raw.githubusercontent.com/"
    assert first.startswith(prefix)
    repository, _, location = first.removeprefix(prefix).partition(f"/cd4ml-v{cd4ml.__version__}/")
    assert repository.count("/") == 1  # owner/name
    assert location == "cd4ml/src/cd4ml/params.schema.json"
    assert (TEMPLATE / location).is_file()


def test_the_schema_declares_and_documents_every_baked_key(baked):
    declared = set(declared_names())
    hyperparameters = {"random_forest", "logistic_regression", "ridge", "gradient_boosting"}
    for path in keys(baked):
        name = ".".join(map(str, path))
        inside_thresholds = path[:2] == ("evaluate", "thresholds") and len(path) == 3
        assert name in declared or inside_thresholds, name
        assert path[0] != "train" or len(path) < 3 or path[1] in hyperparameters | {"lightgbm"}
    for name in declared:
        entry = subschema(name.split("."))
        assert entry.get("title") or entry.get("description"), name
        assert "type" in entry, name
        open_sections = {"train", "lightgbm", *hyperparameters}
        if "properties" in entry and name.rpartition(".")[2] not in open_sections:
            assert entry["additionalProperties"] is False, name


def closed_keys(params: dict) -> list[tuple]:
    """Keys whose section takes no other name: renaming one must be reported."""
    found = []
    for path in keys(params):
        section = subschema(list(path[:-1])) or {}
        other = section.get("additionalProperties")
        value = at(params, path)[path[-1]]
        if other is False or path[:2] == ("evaluate", "thresholds") and len(path) == 3:
            found.append(path)
        elif isinstance(other, dict) and not validator().is_type(value, other["type"]):
            found.append(path)  # train's other keys are hyperparameter mappings
    return found


def allowed_names(params: dict, path: tuple) -> set:
    """The names path's section takes: its declared keys, or the task's metrics for thresholds."""
    if path[:2] == ("evaluate", "thresholds") and len(path) == 3:
        return set(scoring.METRICS[params["train"]["task"]])
    return set((subschema(list(path[:-1])) or {}).get("properties", {}))


def typo(name: str) -> st.SearchStrategy[str]:
    """A one-letter slip of name (a letter dropped, added or two swapped), or any other name."""
    letters = st.characters(codec="ascii", categories=["Ll", "Nd"])
    edits = st.one_of(
        st.tuples(st.just("drop"), st.integers(0, len(name) - 1), st.just("")),
        st.tuples(st.just("add"), st.integers(0, len(name)), letters),
        st.tuples(st.just("swap"), st.integers(0, max(len(name) - 2, 0)), st.just("")),
    )

    def apply(edit) -> str:
        kind, index, letter = edit
        if kind == "drop":
            return name[:index] + name[index + 1 :]
        if kind == "add":
            return name[:index] + letter + name[index:]
        return name[:index] + name[index + 1 : index + 2] + name[index] + name[index + 2 :]

    return st.one_of(edits.map(apply), st.text(min_size=1, max_size=20))


ONCE = [HealthCheck.function_scoped_fixture]  # the fixtures only read the rendered project


@settings(max_examples=60, deadline=None, suppress_health_check=ONCE)
@given(data=st.data())
def test_a_renamed_key_is_one_line_naming_it(baked, data):
    path = data.draw(st.sampled_from(closed_keys(baked)))
    new = data.draw(typo(str(path[-1])))
    assume(new not in at(baked, path) and new not in allowed_names(baked, path))
    mutated = copy.deepcopy(baked)
    holder = at(mutated, path)
    holder[new] = holder.pop(path[-1])
    found = problems(mutated)
    assert len(found) == 1, found
    where = ".".join(map(str, path[:-1]))
    if path[:2] == ("evaluate", "thresholds") and len(path) == 3:
        assert found[0].startswith(f"params.yaml: {where} has the key {new!r}")
    else:
        name = f"{where}.{new}" if where else new
        assert found[0].startswith(f"params.yaml: {name} is not a known key")


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@settings(max_examples=80, deadline=None, suppress_health_check=ONCE)
@given(data=st.data())
def test_a_value_of_the_wrong_type_is_one_line_naming_the_key_and_value(baked, data):
    typed = [path for path in keys(baked) if "type" in (subschema(list(path)) or {})]
    path = data.draw(st.sampled_from(typed))
    expected = subschema(list(path))["type"]
    value = data.draw(JSON_VALUES)
    types = [expected] if isinstance(expected, str) else expected
    assume(not any(validator().is_type(value, name) for name in types))
    mutated = copy.deepcopy(baked)
    at(mutated, path)[path[-1]] = value
    found = problems(mutated)
    assert len(found) == 1, found
    assert found[0].startswith(f"params.yaml: {'.'.join(map(str, path))} is ")
    assert "; expected " in found[0]


MODELS = st.sampled_from(
    ["lightgbm", "random_forest", "gradient_boosting", "ridge", "sklearn.svm.SVC"]
)


@settings(max_examples=40, deadline=None, suppress_health_check=ONCE)
@given(
    engine=st.sampled_from(["pandas", "dask", None]),
    model=MODELS,
    task=st.sampled_from(sorted(TASKS)),
)
def test_the_engine_and_model_rule_is_the_dask_engine_s(baked, engine, model, task):
    """On compute.engine dask, the schema refuses exactly the models that train would refuse there.

    lightgbm on the pandas engine passes: train refuses it, but predict and validate run a Dask
    project on pandas (a file scored in one process), with train.model left as it was.
    """
    params = copy.deepcopy(baked)
    params["train"].update(task=task, model=model)
    params["evaluate"].update(primary_metric=TASKS[task], thresholds={})
    if engine is None:
        del params["compute"]
    else:
        params["compute"]["engine"] = engine
    try:
        compute.check_model(params)
        trains = True
    except PipelineError:
        trains = False
    found = problems(params)
    if engine == "dask":
        assert (found == []) == trains, found
    else:
        assert found == []
    if found:
        assert found == [
            f"params.yaml: train.model is {model!r}; use one of lightgbm "
            "(compute.engine dask trains only lightgbm, the distributed learner)"
        ]


def test_a_task_s_metrics_are_the_scoring_module_s(baked):
    rules = {
        rule["if"]["properties"]["train"]["properties"]["task"]["const"]: rule["then"]
        for rule in schema()["allOf"]
        if "train" in rule["if"].get("properties", {})
    }
    for task, metrics in scoring.METRICS.items():
        evaluate = rules[task]["properties"]["evaluate"]["properties"]
        assert evaluate["primary_metric"]["enum"] == list(metrics)
        assert evaluate["thresholds"]["propertyNames"]["enum"] == list(metrics)
    other = "regression" if baked["train"]["task"] == "classification" else "classification"
    wrong = {
        **baked,
        "evaluate": {**baked["evaluate"], "primary_metric": scoring.METRICS[other][0]},
    }
    assert problems(wrong) == [
        f"params.yaml: evaluate.primary_metric is {scoring.METRICS[other][0]!r}; use one of "
        f"{', '.join(scoring.METRICS[baked['train']['task']])} "
        f"(a {baked['train']['task']} model is scored by {baked['train']['task']} metrics)"
    ]


def files(folder: Path) -> dict[str, bytes]:
    every = sorted(folder.rglob("*"))
    return {str(file.relative_to(folder)): file.read_bytes() for file in every if file.is_file()}


@pytest.mark.parametrize("command", ["ingest", "train", "evaluate"])
def test_every_command_refuses_bad_params_before_any_output_changes(
    project_folder, tmp_path, monkeypatch, capsys, command
):
    folder = Path(shutil.copytree(project_folder, tmp_path / "project"))
    monkeypatch.chdir(folder)
    text = (folder / "params.yaml").read_text()
    broken = text.replace("  test_size: 0.2", "  test_sise: 0.2").replace(
        "workers: 2", "workers: two"
    )
    (folder / "params.yaml").write_text(
        broken.replace("\nmlflow:\n", "\nmlflow:\n  enabeld: true\n")
    )
    before = files(folder)
    assert main([command]) == 2
    assert files(folder) == before
    assert capsys.readouterr().err.splitlines() == [
        "error: params.yaml: compute.workers is 'two'; expected a whole number",
        "error: params.yaml: featurize.test_sise is not a known key; "
        "did you mean featurize.test_size?",
        "error: params.yaml: mlflow.enabeld is not a known key; did you mean mlflow.enabled?",
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=ONCE)
@given(
    # Control characters aside: YAML reads some (U+0085) as line breaks, whatever the schema says.
    target=st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=20).filter(
        str.strip
    ),
    separator=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]),
    task=st.sampled_from(list(TASKS)),
)
def test_adopt_s_edits_keep_the_schema_line_and_a_valid_file(
    project_folder, tmp_path_factory, target, separator, encoding, task
):
    """adopt writes params.yaml through params_file.update, with changes of these kinds."""
    file = tmp_path_factory.mktemp("adopt") / "params.yaml"
    shutil.copy(project_folder / "params.yaml", file)
    first = file.read_text().splitlines()[0]
    changes = {
        "ingest.source": "raw",
        "ingest.target": target,
        "ingest.separator": separator,
        "ingest.encoding": encoding,
        "train.task": task,
        "train.model": "gradient_boosting",
        "evaluate.primary_metric": TASKS[task],
        "evaluate.thresholds": {},
        "mlflow.model_name": f"unit-tests-{task}",
    }
    params_file.update(file, changes, {"train.task": "classification or regression"})
    assert file.read_text().splitlines()[0] == first
    assert problems(yaml.safe_load(file.read_text())) == []
    assert load_params(file)["ingest"]["target"] == target
