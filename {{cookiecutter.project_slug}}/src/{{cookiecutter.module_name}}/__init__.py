"""This team's own code: features.py (columns derived inside the model) and model.py (estimators).

The machinery (stages, gates, registry, service) is the cd4ml library, pinned in pyproject.toml;
`python -m {{ cookiecutter.module_name }} --help` lists its commands.
"""

__version__ = "0.1.0"
