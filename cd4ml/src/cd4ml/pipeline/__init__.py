"""The dvc.yaml stages, one module per stage, named like the stage."""
