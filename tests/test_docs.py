"""The guide (mkdocs.yml, docs/): it builds strictly, every page is near home, the reference pages
follow their sources, a browser draws it, and the tutorial's and how-to pages' commands run.

A page marks a block it does not mean to be run, or how the reader applies it, with an HTML comment
on the line before the fence: `<!-- skip: why -->`, `<!-- file: path -->` (the block is that file),
`<!-- append: path -->` (added at the file's end) or `<!-- merge: path -->` (YAML merged into the file).
"""

import argparse
import html
import importlib
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE, VENV_BIN, bake_project, copy_project, project_env, untracked
from PIL import Image
from test_report import browse, chromium  # noqa: F401 (a fixture)

from cd4ml import __main__ as cli

DOCS = TEMPLATE / "docs"
CONFIG = yaml.safe_load((TEMPLATE / "mkdocs.yml").read_text())
BLOCK = re.compile(r"(?:<!-- (skip|file|append|merge): (.+?) -->\n)?```(\w*)\n(.*?)```", re.DOTALL)
RUNNABLE = {"bash", "sh", "shell", "python"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    command = [str(VENV_BIN / "mkdocs"), "build", "--strict", "--site-dir", str(folder)]
    built = subprocess.run(command, cwd=TEMPLATE, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    return folder


def nav_pages(entries: list, depth: int = 1) -> dict[str, int]:
    """Each page of the nav, and the clicks it takes from home: one per level of sections."""
    pages = {}
    for entry in entries:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(value, list):
            pages |= nav_pages(value, depth + 1)
        else:
            pages[value] = depth
    return pages


def test_every_page_is_in_the_nav_within_two_clicks_of_home():
    pages = nav_pages(CONFIG["nav"])
    written = {str(path.relative_to(DOCS)) for path in DOCS.rglob("*.md")}
    assert set(pages) == written
    assert {page: depth for page, depth in pages.items() if depth > 2} == {}
    # Home links every page but the section indexes, which the tabs reach in one click.
    linked = set(re.findall(r"\]\(([\w/.-]+\.md)", (DOCS / "index.md").read_text()))
    assert {page for page in pages if not page.endswith("index.md")} - linked == set()


def test_no_page_is_longer_than_about_three_screens():
    for page in DOCS.rglob("*.md"):
        assert len(page.read_text().splitlines()) <= 110, page


def code_texts(site: Path, page: str) -> set[str]:
    """The text of every <code> element of a built page."""
    text = (site / page / "index.html").read_text()
    codes = re.findall(r"<code>(.*?)</code>", text, re.DOTALL)
    return {html.unescape(re.sub(r"<[^>]+>", "", code)).replace("\u200b", "") for code in codes}


def schema_keys(node: dict, prefix: str = "") -> list[str]:
    keys = []
    for key, value in node.get("properties", {}).items():
        keys += [f"{prefix}{key}", *schema_keys(value, f"{prefix}{key}.")]
    return keys


def test_the_reference_lists_every_params_key(site):
    schema = json.loads((TEMPLATE / "cd4ml/src/cd4ml/params.schema.json").read_text())
    keys = schema_keys(schema)
    assert len(keys) > 50
    assert set(keys) - code_texts(site, "reference/params") == set()


def test_the_reference_lists_every_template_option_and_choice(site):
    options = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    shown = code_texts(site, "reference/options")
    for name, default in options.items():
        if not name.startswith("_"):
            assert name in shown
            assert set(default if isinstance(default, list) else [default]) <= shown, name


def test_the_reference_lists_every_command_and_its_options(site):
    shown = code_texts(site, "reference/commands")
    for name, (module_path, _) in cli.available().items():
        assert name in shown
        parser = argparse.ArgumentParser(add_help=False)
        module = importlib.import_module(f"cd4ml.{module_path}")
        if hasattr(module, "arguments"):
            module.arguments(parser)
        for action in parser._actions:
            names = ", ".join(action.option_strings) or action.dest
            assert any(text.startswith(names) for text in shown), (name, names)


def test_a_browser_draws_the_home_page_and_a_how_to(site, chromium, tmp_path):  # noqa: F811
    for page in ("index.html", "how-to/add-feature/index.html"):
        shot = tmp_path / "page.png"
        browse(chromium, tmp_path / "profile", "--window-size=1200,900", f"--screenshot={shot}", (site / page).as_uri())
        image = Image.open(shot).convert("L")
        dark = sum(count for count, level in image.getcolors(maxcolors=256) if level < 128)
        # Text and the header bar, not an empty or error page: a good share of dark pixels.
        assert dark > 0.02 * image.width * image.height, (page, dark)


def blocks(page: Path) -> list[tuple[str, str, str, str]]:
    """(marker, its argument, language, text) of each fenced block of a page."""
    return [(marker, argument, language, text) for marker, argument, language, text in BLOCK.findall(page.read_text())]


def merged(base: dict, change: dict) -> dict:
    for key, value in change.items():
        base[key] = merged(base.get(key) or {}, value) if isinstance(value, dict) else value
    return base


def run_page(page: Path, project: Path) -> int:
    """Apply and run a page's blocks in order in the project; returns how many ran."""
    ran = 0
    for marker, argument, language, text in blocks(page):
        target = project / argument
        if marker == "skip":
            assert argument.strip(), f"{page.name}: a skip marker names why"
        elif marker == "file":
            target.write_text(text)
        elif marker == "append":
            target.write_text(target.read_text() + "\n" + text)
        elif marker == "merge":
            content = merged(yaml.safe_load(target.read_text()), yaml.safe_load(text))
            target.write_text(yaml.safe_dump(content, sort_keys=False))
        elif language in RUNNABLE:
            command = ["python", "-"] if language == "python" else ["bash", "-euo", "pipefail", "-s"]
            env = project_env(project)
            done = subprocess.run(command, input=text, cwd=project, env=env, capture_output=True, text=True, timeout=99)
            assert done.returncode == 0, f"{page.name}:\n{text}\nexited {done.returncode}:\n{done.stdout}{done.stderr}"
            ran += 1
    return ran


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory) -> Path:
    """A fresh default bake, taken through the tutorial's commands."""
    project = bake_project(tmp_path_factory.mktemp("tutorial"))
    assert run_page(DOCS / "tutorial.md", project) >= 5
    return project


@pytest.mark.slow
def test_the_tutorial_ends_with_a_report_against_main(tutorial):
    report = (tutorial / "reports/pr_report.md").read_text()
    assert "n_estimators" in report  # the changed parameter, shown to the reviewer


HOW_TO = sorted(page.name for page in (DOCS / "how-to").glob("*.md") if page.name != "index.md")


@pytest.mark.slow
@pytest.mark.parametrize("page", HOW_TO)
def test_a_how_to_pages_commands_run(page, tutorial, tmp_path):
    """Each page on its own copy of the tutorial's project; MLflow off unless the page promotes."""
    path = DOCS / "how-to" / page
    if not any(marker != "skip" and (marker or language in RUNNABLE) for marker, _, language, _ in blocks(path)):
        pytest.skip("no block to run: every one needs a cloud account, the package index or docker")
    project = copy_project(tutorial, tmp_path)
    if "make promote" not in path.read_text():
        untracked(project)
    run_page(path, project)
