"""cd4ml: the machinery of a CD4ML project: its stages, gates, registry, reports, CI and service.

A project made from the cd4ml template holds only its team's code (features.py, model.py), its
configuration and its tests; every command here runs as `cd4ml <command>` or `python -m cd4ml`.
"""

__version__ = "0.1.0"
