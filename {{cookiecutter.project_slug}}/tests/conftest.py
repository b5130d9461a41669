"""The fixtures the project's suites share (params, task, dataset, feature, current) come from the
cd4ml library; add your own below."""

pytest_plugins = ["cd4ml.testing"]
