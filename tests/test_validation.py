"""The pre-generation hook: a bad answer stops the bake with one line and leaves nothing behind."""

import pytest
from conftest import bake_project
from cookiecutter.exceptions import FailedHookException, OutputDirExistsException

REJECTED = [
    ({"project_name": " "}, "project_name: the value is empty"),
    ({"project_slug": "churn_model"}, "project_slug: 'churn_model' is not valid"),
    ({"project_slug": "Churn-Model"}, "project_slug: 'Churn-Model' is not valid; use lower-case letters"),
    ({"project_slug": "churn--model"}, "project_slug: 'churn--model' is not valid"),
    ({"project_slug": "2churn"}, "project_slug: '2churn' is not valid"),
    ({"module_name": ""}, "module_name: the value is empty"),
    ({"module_name": "Churn"}, "module_name: 'Churn' is not valid; use lower-case letters, digits and underscores"),
    ({"module_name": "churn-model"}, "module_name: 'churn-model' is not valid"),
    ({"module_name": "class"}, "module_name: 'class' is a Python keyword"),
    ({"module_name": "match"}, "module_name: 'match' is a Python keyword"),
    ({"module_name": "json"}, "module_name: 'json' would shadow the standard library module"),
    ({"module_name": "dvc"}, "module_name: 'dvc' would shadow the dependency"),
    ({"module_name": "pandas"}, "module_name: 'pandas' would shadow the dependency"),
    ({"module_name": "sklearn"}, "module_name: 'sklearn' would shadow the dependency"),
    ({"author_name": ""}, "author_name: the value is empty"),
    ({"author_email": "jane"}, "author_email: 'jane' is not an e-mail address"),
    ({"dvc_remote": "gcs", "dvc_remote_url": ""}, "dvc_remote_url: the value is empty; dvc_remote 'gcs' needs a URL"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "s3://bucket/x"}, "does not match dvc_remote 'gcs'; use gs://"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "team-bucket/x"}, "does not match dvc_remote 'gcs'"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "gs://Team_Bucket/x"}, "bucket name 'Team_Bucket' breaks the gcs"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "gs://ab/x"}, "bucket name 'ab' breaks the gcs naming rule"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "gs://google-data/x"}, "bucket name 'google-data' breaks the gcs"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "gs://192.168.1.1/x"}, "bucket name '192.168.1.1' must not be an IP"),
    ({"dvc_remote": "s3", "dvc_remote_url": "gs://bucket/x"}, "does not match dvc_remote 's3'; use s3://"),
    ({"dvc_remote": "s3", "dvc_remote_url": "s3://my_bucket/x"}, "bucket name 'my_bucket' breaks the s3 naming rule"),
    ({"dvc_remote": "s3", "dvc_remote_url": "s3://my..bucket/x"}, "bucket name 'my..bucket' breaks the s3 naming"),
    ({"dvc_remote": "s3", "dvc_remote_url": "s3://" + "a" * 64}, "breaks the s3 naming rule: 3-63 characters"),
    ({"dvc_remote": "azure", "dvc_remote_url": "azure://my--container"}, "container name 'my--container' breaks"),
    ({"dvc_remote": "azure", "dvc_remote_url": "azure://My.Container/x"}, "container name 'My.Container' breaks"),
    ({"dvc_remote": "local", "dvc_remote_url": "gs://bucket/x"}, "has a scheme; the local remote takes a folder path"),
    ({"dvc_remote": "local", "dvc_remote_url": ""}, "dvc_remote_url: the value is empty; dvc_remote 'local'"),
    ({"dvc_remote": "none", "dvc_remote_url": "gs://bucket/x"}, "is set but dvc_remote is 'none'"),
    ({"mlflow_tracking_uri": "mlflow.db"}, "mlflow_tracking_uri: 'mlflow.db' is not a tracking URI"),
    ({"mlflow_tracking_uri": "ftp://host"}, "mlflow_tracking_uri: 'ftp://host' is not a tracking URI"),
]


@pytest.mark.parametrize(("answers", "message"), REJECTED, ids=[str(answers) for answers, _ in REJECTED])
def test_bad_answer_stops_with_one_line_and_no_folder(tmp_path, capfd, answers, message):
    with pytest.raises(FailedHookException):
        bake_project(tmp_path, **answers)
    error = capfd.readouterr().err
    assert message in error
    assert len(error.strip().splitlines()) == 1, error
    assert error.startswith("error: ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "answers",
    [
        {"project_slug": "churn", "module_name": "churn"},
        {"module_name": "churn_model_2"},
        {"dvc_remote": "gcs", "dvc_remote_url": "gs://team.data-store_eu/churn/v1"},
        {"dvc_remote": "s3", "dvc_remote_url": "s3://team.data-store"},
        {"dvc_remote": "azure", "dvc_remote_url": "azure://team-data/churn"},
        {"dvc_remote": "local", "dvc_remote_url": "~/dvc-store"},
        {"mlflow_tracking_uri": "http://127.0.0.1:5000"},
        {"mlflow_tracking_uri": "postgresql+psycopg2://user@db/mlflow"},
    ],
)
def test_good_answers_are_accepted(tmp_path, answers):
    assert (bake_project(tmp_path, **answers) / "dvc.yaml").is_file()


def test_an_empty_slug_is_refused_before_anything_is_written(tmp_path):
    """Cookiecutter itself stops here, before the hook runs: the folder name would be the output folder."""
    with pytest.raises(OutputDirExistsException):
        bake_project(tmp_path, project_slug="")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("answers", [{"python_version": "3.9"}, {"license": "GPL"}, {"dvc_remote": "ftp"}])
def test_a_value_outside_a_choice_is_refused_by_cookiecutter(tmp_path, answers):
    with pytest.raises(ValueError, match="provided for choice variable"):
        bake_project(tmp_path, **answers)
    assert list(tmp_path.iterdir()) == []
