"""What the service's image installs. With a proven model.onnx, only what answering needs: the HTTP
stack, onnxruntime, and what reads and checks params.yaml. `export` writes every other requirement
of cd4ml to the model folder's serving-overrides.txt as a requirement that is never true, and the
Dockerfile gives that file to uv as overrides: uv then leaves those packages, and whatever only they
need, out. When scikit-learn answers, the file lists nothing and the image holds everything.
"""

import re
from importlib.metadata import requires

FILE = "serving-overrides.txt"
# The distributions the ONNX service imports (pydantic and starlette come with fastapi).
SERVES = {
    "fastapi",
    "httptools",
    "jsonschema",
    "numpy",
    "onnxruntime",
    "orjson",
    "pyyaml",
    "tomli",
    "uvicorn",
    "uvloop",
}
NEVER = "sys_platform == 'never'"
HEADER = """\
# Written by export. The packages the service's image leaves out, as ONNX answers without them:
# the Dockerfile passes this file to `uv pip install --override`, and a requirement whose marker
# is never true is not installed. Empty when scikit-learn answers.
"""


def name_of(requirement: str) -> str:
    """A requirement's distribution name, normalized as the package index compares names."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement.strip()).group()
    return re.sub(r"[-_.]+", "-", name).lower()


def left_out() -> list[str]:
    """cd4ml's own requirements (not its extras') that the ONNX service does not import."""
    names = {
        name_of(requirement)
        for requirement in requires("cd4ml") or []
        if "extra" not in requirement.partition(";")[2]
    }
    return sorted(names - SERVES)


def overrides(onnx_answers: bool) -> str:
    """serving-overrides.txt's text."""
    return HEADER + "".join(f"{name} ; {NEVER}\n" for name in (left_out() if onnx_answers else []))
