"""The model registry's commands: promote, rollback, lineage and the MLflow UI."""
