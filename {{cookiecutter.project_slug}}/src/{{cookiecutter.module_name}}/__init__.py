"""The pipeline stages of this project, one module each; `python -m <package> --help` lists them."""

__version__ = "0.1.0"
