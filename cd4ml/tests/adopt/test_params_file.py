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
