"""`python -m {{ cookiecutter.module_name }} <command>`: the cd4ml commands, run in this project."""

import sys

from cd4ml.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
