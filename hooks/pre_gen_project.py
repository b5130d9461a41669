"""Check every answer before anything is generated.

A bad answer stops generation with one line that names the field, the value
and the rule; cookiecutter then removes the half-made project folder.
"""

import importlib.metadata
import ipaddress
import json
import keyword
import re
import sys
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | jsonify }}""")

SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
MODULE = re.compile(r"[a-z][a-z0-9_]*")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
REMOTE_SCHEMES = {"gcs": "gs", "s3": "s3", "azure": "azure"}
TRACKING_SCHEMES = ("sqlite", "file", "http", "https", "postgresql", "mysql", "mssql", "databricks")


class Invalid(ValueError):
    pass


def dependency_names() -> set[str]:
    """Import names a package could shadow: the locked dependencies and what is installed here."""
    names = set()
    lock = Path("requirements.lock")
    if lock.exists():
        for line in lock.read_text().splitlines():
            match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==", line)
            if match:
                names.add(re.sub(r"[-.]", "_", match.group(1)).lower())
    names.update(name.lower() for name in importlib.metadata.packages_distributions())
    return names


def check_name(field: str, value: str, pattern: re.Pattern, rule: str) -> None:
    if not value:
        raise Invalid(f"{field}: the value is empty; {rule}")
    if not pattern.fullmatch(value):
        raise Invalid(f"{field}: {value!r} is not valid; {rule}")


def check_module(value: str) -> None:
    check_name("module_name", value, MODULE, "use lower-case letters, digits and underscores, starting with a letter")
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        raise Invalid(f"module_name: {value!r} is a Python keyword; choose another name")
    if value in sys.stdlib_module_names:
        raise Invalid(f"module_name: {value!r} would shadow the standard library module of that name")
    if value in dependency_names():
        raise Invalid(f"module_name: {value!r} would shadow the dependency of that name")


def check_bucket(remote: str, bucket: str) -> None:
    """Bucket and container naming rules of Google Cloud Storage, Amazon S3 and Azure Blob Storage."""
    rules = {
        "gcs": (
            r"[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]",
            "3-222 characters of a-z, 0-9, '.', '-', '_', "
            "starting and ending with a letter or digit, each dot-separated part at most 63 characters",
        ),
        "s3": (
            r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]",
            "3-63 characters of a-z, 0-9, '.', '-', starting and ending with a letter or digit, no '..'",
        ),
        "azure": (
            r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]",
            "3-63 characters of a-z, 0-9, '-', starting and ending with a letter or digit, no '--'",
        ),
    }
    pattern, rule = rules[remote]
    name = "bucket" if remote != "azure" else "container"
    broken = not re.fullmatch(pattern, bucket)
    broken = broken or any(len(part) > 63 for part in bucket.split("."))
    broken = broken or (remote == "s3" and (".." in bucket or bucket.startswith("xn--")))
    broken = broken or (remote == "gcs" and (bucket.startswith("goog") or "google" in bucket))
    if broken:
        raise Invalid(f"dvc_remote_url: {name} name {bucket!r} breaks the {remote} naming rule: {rule}")
    try:
        ipaddress.ip_address(bucket)
    except ValueError:
        return
    raise Invalid(f"dvc_remote_url: {name} name {bucket!r} must not be an IP address")


def check_remote(remote: str, url: str) -> None:
    if remote == "none":
        if url:
            raise Invalid(f"dvc_remote_url: {url!r} is set but dvc_remote is 'none'; leave the URL empty")
        return
    if not url:
        raise Invalid(f"dvc_remote_url: the value is empty; dvc_remote {remote!r} needs a URL")
    scheme, separator, rest = url.partition("://")
    if remote == "local":
        if separator:
            raise Invalid(f"dvc_remote_url: {url!r} has a scheme; the local remote takes a folder path")
        return
    expected = REMOTE_SCHEMES[remote]
    if not separator or scheme != expected:
        raise Invalid(f"dvc_remote_url: {url!r} does not match dvc_remote {remote!r}; use {expected}://<bucket>/<path>")
    check_bucket(remote, rest.split("/", 1)[0])


def check_tracking_uri(uri: str) -> None:
    scheme = uri.partition(":")[0].split("+")[0]
    if ":" not in uri or scheme not in TRACKING_SCHEMES:
        raise Invalid(
            f"mlflow_tracking_uri: {uri!r} is not a tracking URI; use one of the schemes {', '.join(TRACKING_SCHEMES)}"
        )


def validate(answers: dict) -> None:
    if not answers["project_name"].strip():
        raise Invalid("project_name: the value is empty; give the project a name")
    check_name(
        "project_slug",
        answers["project_slug"],
        SLUG,
        "use lower-case letters and digits separated by single hyphens, starting with a letter",
    )
    check_module(answers["module_name"])
    if not answers["author_name"].strip():
        raise Invalid("author_name: the value is empty; give the author's name")
    if not EMAIL.fullmatch(answers["author_email"]):
        raise Invalid(f"author_email: {answers['author_email']!r} is not an e-mail address")
    check_remote(answers["dvc_remote"], answers["dvc_remote_url"])
    check_tracking_uri(answers["mlflow_tracking_uri"])


if __name__ == "__main__":
    try:
        validate(ANSWERS)
    except Invalid as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
