import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cd4ml.adopt import params_file

PARAMS = """\
ingest:
  source: bundled  # where the data comes from
  target: target
train:
  model: random_forest
evaluate:
  # The metric gate.
  thresholds:
    accuracy: 0.9
    log_loss: 0.3
  # The model tests require this margin.
  primary_metric: roc_auc
"""


def test_edits_keep_every_comment_and_the_rest_of_the_file(tmp_path):
    file = tmp_path / "params.yaml"
    file.write_text(PARAMS)
    params_file.update(
        file,
        {"ingest.source": "raw", "train.task": "regression", "evaluate.thresholds": {}},
        {"train.task": "classification or regression"},
    )
    text = file.read_text()
    assert "  source: raw      # where the data comes from\n" in text
    assert "  task: regression  # classification or regression\n" in text
    assert "  thresholds: {}\n  # The model tests require this margin.\n" in text
    params_file.update(file, {"evaluate.thresholds": {"accuracy": 0.8}})
    assert "    accuracy: 0.8\n  # The model tests require this margin.\n" in file.read_text()
    assert file.read_text().count("#") == PARAMS.count("#") + 1


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8),
    edge=st.sampled_from("\r\n\x85\u2028\u2029"),
)
def test_any_text_reads_back_as_written_line_breaks_included(tmp_path_factory, name, edge):
    """A column name with a character YAML reads as a line break (U+0085 ends some spreadsheet
    headers) is written so that it reads back as given, as a target and in a list."""
    file = tmp_path_factory.mktemp("params") / "params.yaml"
    file.write_text(PARAMS)
    written = {"ingest.target": name + edge, "ingest.na_values": [edge + name, name]}
    params_file.update(file, written)
    read = yaml.safe_load(file.read_text())["ingest"]
    assert (read["target"], read["na_values"]) == (
        written["ingest.target"],
        written["ingest.na_values"],
    )


@pytest.mark.parametrize("name", ["yes", "NO", "on", "Off", "y", "12:30", "null", "~", "2019"])
def test_a_name_yaml_1_1_reads_as_another_type_reads_back_as_text(tmp_path, name):
    """The library reads params.yaml with PyYAML (YAML 1.1), where `yes` is true and `12:30` is
    750; ruamel writes by YAML 1.2, which would leave them plain."""
    file = tmp_path / "params.yaml"
    file.write_text(PARAMS)
    params_file.update(file, {"ingest.target": name, "ingest.na_values": [name]})
    read = yaml.safe_load(file.read_text())["ingest"]
    assert (read["target"], read["na_values"]) == (name, [name])
