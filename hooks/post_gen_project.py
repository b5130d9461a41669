"""Make the new folder a working repository: DVC configuration, git, and the next steps.

DVC's files are written here rather than by `dvc init`, so baking needs neither
DVC nor a network; the result is what `dvc init` plus `dvc remote add -d` write.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

# The answers as JSON text inside a JSON string literal: tojson escapes quotes and backslashes and
# writes ' as \u0027, so no answer can end this raw string or be read as Python. The pre-generation
# hook has checked them; nothing else here is rendered. copier's tasks (copier.yml) run this file
# unrendered and give the answers as JSON in the first argument instead.
RENDERED_ANSWERS = r'''{{ cookiecutter | jsonify | tojson }}'''  # fmt: skip


def dvc_config(remote: str, url: str) -> str:
    """What `dvc init` and `dvc remote add -d storage <url>` write; the URL holds no # , % or quote (checked)."""
    lines = ["[core]", "    analytics = false"]
    if remote == "none":
        return "\n".join(lines) + "\n"
    if remote == "local" and not os.path.isabs(os.path.expanduser(url)):
        # DVC reads a relative remote path from .dvc/config relative to .dvc/.
        url = os.path.relpath(os.path.abspath(url), ".dvc")
    lines += ["    remote = storage", "['remote \"storage\"']", f"    url = {url}"]
    return "\n".join(lines) + "\n"


def template_source(template: str, repo_dir: str) -> tuple[str, str | None]:
    """Where the template came from, as git can clone it, and the commit it was at."""
    for short, url in (
        ("gh:", "https://github.com/"),
        ("gl:", "https://gitlab.com/"),
        ("bb:", "https://bitbucket.org/"),
    ):
        if template.startswith(short):
            template = url + template.removeprefix(short)
    if "://" not in template and not template.startswith("git@"):
        # A local path, relative to where cookiecutter was started (the hook runs in the new project).
        template = os.path.abspath(os.path.join(os.environ.get("PWD", os.getcwd()), template))
        repo_dir = template
    if shutil.which("git") is None:
        return template, None
    local = repo_dir if os.path.isabs(repo_dir) else template
    result = subprocess.run(["git", "-C", local, "rev-parse", "HEAD"], capture_output=True, text=True)
    return template, (result.stdout.strip() or None) if result.returncode == 0 else None


def cruft_state(answers: dict) -> dict:
    """.cruft.json, so that `cruft check` and `cruft update` can bring in later template changes."""
    template, commit = template_source(answers["_template"], answers["_repo_dir"])
    context = {key: value for key, value in answers.items() if key not in ("_output_dir", "_repo_dir")}
    return {
        "template": template,
        "commit": commit,
        "checkout": answers.get("_checkout"),
        "context": {"cookiecutter": context},
        "directory": None,
    }


def library_source(template: str, commit: str | None) -> str:
    """The [tool.uv.sources] entry of the cd4ml library: the template's own folder or commit.

    The library lives in the template repository (folder cd4ml/), so a project installs the one
    it was made with. TOML's basic strings take JSON's escapes, so json.dumps quotes the values.
    """
    if "://" in template or template.startswith("git@"):
        fields = {"git": template, "subdirectory": "cd4ml", **({"rev": commit} if commit else {})}
    else:
        fields = {"path": os.path.join(template, "cd4ml")}
    inline = ", ".join(f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items())
    return (
        "\n# Where `make setup` gets the cd4ml library: the template this project was made from.\n"
        "[tool.uv.sources]\ncd4ml = { " + inline + " }\n"
    )


def first_commit() -> str:
    """Commit the bake; returns what happened, in one line.

    cruft runs this hook too, in `cruft create` and in both renders that `cruft update` diffs, so
    every render holds a .git folder. The bake's pyproject.toml has cruft skip it ([tool.cruft]):
    the .cruft.json that `cruft create` writes has no "skip". https://github.com/cruft/cruft/issues/61
    """
    if shutil.which("git") is None:
        return "git is not installed: no repository was made; run `git init` once it is."

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], capture_output=True, text=True)

    git("-c", "init.defaultBranch=main", "init", "-q")
    subprocess.run(["sh", "scripts/configure-git"], check=True)
    git("add", "-A")
    if git("var", "GIT_COMMITTER_IDENT").returncode != 0:
        return (
            "git has no user.name or user.email: the files are staged but not committed; "
            'set them with `git config --global user.name "..."` (and user.email), then `git commit`.'
        )
    result = git("commit", "-q", "-m", "Initial commit from cd4ml-template")
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no reason given"])[-1]
        return f"git commit failed, the files are staged: {reason}"
    return "Made a git repository with a first commit on branch main."


def remove_other_ci_folders() -> None:
    """The CI providers not chosen leave empty folders: their files' names render empty, not
    their folders' (cookiecutter cannot skip a folder)."""
    for folder in (".github/workflows", ".github", "azure-pipelines"):
        if Path(folder).is_dir() and not any(Path(folder).iterdir()):
            Path(folder).rmdir()


def write_files(answers: dict) -> None:
    """The files a bake holds beyond the template's own: DVC's config, where the library comes from."""
    remove_other_ci_folders()
    Path(".dvc/config").write_text(dvc_config(answers["dvc_remote"], answers["dvc_remote_url"]), encoding="utf-8")
    if "_template" in answers and "_repo_dir" in answers:  # cookiecutter; cruft and copier write their own state
        state = cruft_state(answers)
        Path(".cruft.json").write_text(json.dumps(state, indent=2) + "\n")
        origin = (state["template"], state["commit"])
    elif "_template" in answers and "_commit" in answers:
        # cruft and copier: on a bake, and in every render that `cruft update` or `copier update`
        # compares, so the library's source moves to the new commit with the rest of the update.
        origin = (answers["_template"], answers["_commit"])
    else:
        origin = None
    if origin is not None:
        with Path("pyproject.toml").open("a", encoding="utf-8") as pyproject:
            pyproject.write(library_source(*origin))


def main(answers: dict, update: bool = False) -> None:
    """A bake: its files, a first commit and the next steps. An update (copier's) writes the files only."""
    write_files(answers)
    if update:
        return
    print(first_commit())
    print(f"\nNext:\n  cd {Path.cwd().name}\n  make setup\n  make repro\n")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(
        json.loads(arguments[0]) if arguments else json.loads(json.loads(RENDERED_ANSWERS)),
        update=arguments[1:] == ["--update"],
    )
