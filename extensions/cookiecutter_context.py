"""What copier needs to render the cookiecutter template: `cookiecutter.<name>`, cookiecutter's filters, the checks.

copier.yml loads this file (`_jinja_extensions`, through copier-template-extensions). Every file of the
template says `cookiecutter.<name>`; here that name reads copier's answer of the same name, and a private
`cookiecutter.__<name>` reads copier's computed value `<name>`. The `pre_generation_check` filter runs
cookiecutter's pre-generation hook's checks, which this file imports rather than repeats.
"""

import datetime
import json
import os
import zoneinfo
from functools import cache
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

from copier.errors import UserMessageError
from copier_template_extensions import ContextHook
from jinja2 import nodes
from jinja2.ext import Extension

TEMPLATE = Path(__file__).resolve().parents[1]
OPTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
QUESTIONS = [name for name in OPTIONS if not name.startswith("_")]
COMPUTED = [name.removeprefix("__") for name in OPTIONS if name.startswith("__") and not name.endswith("__")]


def slugify(value: str, **options) -> str:
    """cookiecutter's `slugify` filter: python-slugify, which cookiecutter itself calls."""
    try:
        from slugify import slugify as python_slugify
    except ImportError:
        raise UserMessageError(
            "error: this template needs python-slugify beside copier (pipx inject copier python-slugify)"
        ) from None
    return python_slugify(value, **options)


def jsonify(value, indent: int = 4) -> str:
    """cookiecutter's `jsonify` filter."""
    return json.dumps(value, sort_keys=True, indent=indent)


def now(timezone: str, form: str) -> str:
    """cookiecutter's `{% now 'utc', '%Y' %}`: the time in a zone ('utc', 'local' or a tz database name)."""
    if timezone.lower() == "local":
        return datetime.datetime.now().astimezone().strftime(form)
    zone = datetime.timezone.utc if timezone.lower() == "utc" else zoneinfo.ZoneInfo(timezone)
    return datetime.datetime.now(zone).strftime(form)


def template_origin(context: dict) -> dict:
    """Where the template came from, as cruft tells the post-generation hook: `_template` and `_commit`.

    A local folder is made absolute (the hook runs in the new project); a URL stays as given.
    """
    source = str(context["_copier_answers"]["_src_path"])
    if os.path.isdir(source):
        source = os.path.abspath(source)
    return {"_template": source, "_commit": context["_copier_conf"]["vcs_ref_hash"]}


@cache
def pre_generation_hook():
    """hooks/pre_gen_project.py, whose checks cookiecutter runs before it writes a file."""
    spec = spec_from_file_location("pre_gen_project", TEMPLATE / "hooks/pre_gen_project.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pre_generation_check(answers: dict, project: object) -> str:
    """Nothing, or copier stops with the hook's one line; project: the project's folder, or None if unknown."""
    hook = pre_generation_hook()
    try:
        hook.validate(answers, None if project is None else str(project))
    except hook.Invalid as error:
        raise UserMessageError(f"error: {error}") from None
    return ""


class CookiecutterContext(ContextHook):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters.update(slugify=slugify, jsonify=jsonify, pre_generation_check=pre_generation_check)

    def hook(self, context: dict) -> None:
        answers = {name: context[name] for name in QUESTIONS if name in context}
        answers.update({f"__{name}": context[name] for name in COMPUTED if name in context})
        if context["_copier_phase"] == "tasks":
            answers.update(template_origin(context))
        context["cookiecutter"] = answers


class CookiecutterNow(Extension):
    """cookiecutter's `now` tag, in the one form the template uses: `{% now '<zone>', '<format>' %}`."""

    tags = {"now"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        timezone = parser.parse_expression()
        parser.stream.expect("comma")
        form = parser.parse_expression()
        return nodes.Output([self.call_method("_now", [timezone, form])], lineno=lineno)

    def _now(self, timezone: str, form: str) -> str:
        return now(timezone, form)
