"""Make the new folder a working repository: DVC configuration, git, and the next steps.

DVC's files are written here rather than by `dvc init`, so baking needs neither
DVC nor a network; the result is what `dvc init` plus `dvc remote add -d` write.
"""

import os
import shutil
import subprocess
from pathlib import Path

SLUG = "{{ cookiecutter.project_slug }}"
REMOTE = "{{ cookiecutter.dvc_remote }}"
REMOTE_URL = "{{ cookiecutter.dvc_remote_url }}"


def dvc_config(remote: str, url: str) -> str:
    lines = ["[core]", "    analytics = false"]
    if remote == "none":
        return "\n".join(lines) + "\n"
    if remote == "local" and not os.path.isabs(os.path.expanduser(url)):
        # DVC reads a relative remote path from .dvc/config relative to .dvc/.
        url = os.path.relpath(os.path.abspath(url), ".dvc")
    lines += ["    remote = storage", "['remote \"storage\"']", f"    url = {url}"]
    return "\n".join(lines) + "\n"


def first_commit() -> str:
    """Commit the bake; returns what happened, in one line."""
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


def main() -> None:
    Path(".dvc/config").write_text(dvc_config(REMOTE, REMOTE_URL))
    print(first_commit())
    print(f"\nNext:\n  cd {SLUG}\n  make setup\n  make repro\n")


if __name__ == "__main__":
    main()
