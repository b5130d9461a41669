"""Check every answer before anything is generated.

A bad answer stops generation with one line that names the field, the value and the rule
(exit status 2); cookiecutter then removes the half-made project folder. The answers arrive
as data, never as code, and the checks use no package beyond the standard library, so they
hold wherever cookiecutter is installed. copier runs the same checks: its extension
(extensions/cookiecutter_context.py) imports this file and calls validate().
"""

import ipaddress
import json
import keyword
import os
import posixpath
import re
import sys
import unicodedata
import urllib.parse

# The answers as JSON text inside a JSON string literal: tojson escapes quotes and backslashes and
# writes ' as \u0027, so no answer can end this raw string or be read as Python. Only cookiecutter
# renders it; read when the file runs, so that copier's extension can import the file unrendered.
RENDERED_ANSWERS = r'''{{ cookiecutter | jsonify | tojson }}'''  # fmt: skip

# cookiecutter.json's choices (a test keeps them equal): a replay file or cruft skips cookiecutter's check.
CHOICES = {
    "task": ("classification", "regression"),
    "python_version": ("3.11", "3.10", "3.12", "3.13"),
    "license": ("MIT", "BSD-3-Clause", "Apache-2.0", "Proprietary"),
    "dvc_remote": ("gcs", "s3", "azure", "local", "none"),
    "serving": ("yes", "no"),
    "ci": ("github", "gitlab", "azure"),
}
SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
MODULE = re.compile(r"[a-z][a-z0-9_]*")
MAX_NAME = 64
# ASCII only: the wheel's Author-email header refuses a non-ASCII address (email.errors.NonASCIILocalPartDefect).
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
# Names Windows refuses for a file or folder, whatever the extension.
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"{port}{n}" for port in ("com", "lpt") for n in range(10))}
REMOTE_SCHEMES = {"gcs": "gs", "s3": "s3", "azure": "azure"}
TRACKING_SCHEMES = ("sqlite", "http", "https", "databricks")
DATABASE_SCHEMES = ("postgresql", "mysql", "mssql", "oracle")
# Query parameters that carry a secret: tokens, passwords, keys, shared-access signatures.
SECRET_QUERY = re.compile(r"token|password|passwd|pwd|secret|key|sig|signature|credential|auth", re.IGNORECASE)
# DVC reads .dvc/config with configobj (# starts a comment, a comma makes a list, quotes are
# stripped) and the project's `pull` with configparser (% interpolates): a URL must hold none of them.
CONFIG_UNSAFE = set("#,%\"'")
SYSTEM_FOLDERS = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "proc", "run", "sbin", "sys", "usr"}
WINDOWS_SYSTEM_FOLDERS = {"windows", "program files", "program files (x86)", "programdata"}

# Import names that a module_name must not take, written by tests/tools/module_names.py from
# requirements.lock and the standard library (`make lock` refreshes it; a test checks it is current).
# BEGIN module names
DEPENDENCIES = """
adlfs aiobotocore aiohappyeyeballs aiohttp aiohttp_retry aioitertools aiosignal alembic amqp annotated_doc
annotated_types antlr4 anyio appdirs appnope argcomplete argon2 arrow asttokens async_timeout asyncssh attr attrs
azure billiard binaryornot bleach blinker botocore bs4 cachetools cd4ml celery certifi cffi cfgv charset_normalizer
click click_didyoumean click_plugins click_repl cloudpickle colorama coloredlogs comm configobj contourpy cookiecutter
cruft cryptography cycler dask databricks dateutil debugpy decorator defusedxml dictdiffer diskcache distlib
distributed distro docker dotenv dpath dulwich dvc dvc_azure dvc_data dvc_gs dvc_http dvc_objects dvc_render dvc_s3
dvc_studio_client dvc_task entrypoints exceptiongroup executing fastapi fastjsonschema filelock flask flask_cors
flatbuffers flatten_dict flufl fqdn frozenlist fsspec funcy gcsfs git gitdb google google_auth_oauthlib google_crc32c
grandalf graphene graphql graphql_relay greenlet grpc grpc_status gto gunicorn h11 httptools huey humanfriendly hydra
identify idna images importlib_metadata iniconfig ipykernel ipykernel_launcher ipython_pygments_lexers isodate
isoduration isympy iterative_telemetry itsdangerous jedi jinja2 jmespath joblib jsonpointer jsonschema
jsonschema_specifications jupyter jupyter_client jupyter_core jupyter_events jupyter_server jupyter_server_terminals
jupyterlab_pygments jwt kiwisolver knack kombu lark lightgbm locket mako markdown_it markupsafe matplotlib
matplotlib_inline mdurl mistune ml_dtypes mlflow mpl_toolkits mpmath msal msal_extensions msgpack multidict
mypy_extensions narwhals nbclient nbconvert nbdime nbformat nbstripout nest_asyncio2 networkx nodeenv numpy oauthlib
omegaconf onnx onnxmltools onnxruntime opentelemetry orjson overrides packaging pandas pandera pandocfilters parso
partd pathspec pexpect platformdirs pluggy pre_commit pre_commit_hooks prettytable prometheus_client prompt_toolkit
propcache proto psutil ptyprocess public pure_eval py pyarrow pyasn1 pyasn1_modules pycparser pydantic pydantic_core
pydantic_settings pydevd_plugins pydot pygit2 pygments pygtrie pylab pyparsing pyreadline3 pytest python_discovery
pythonjsonlogger pytz pywin32 pywinpty referencing requests requests_oauthlib rfc3339_validator rfc3986_validator
rfc3987_syntax rich rpds ruamel ruff s3fs scipy scmrepo semver send2trash setuptools shellingham shortuuid shtab six
skl2onnx sklearn skops slugify smmap sortedcontainers soupsieve sqlalchemy sqlparse sqltrie stack_data starlette sympy
tabulate tblib terminado text_unidecode threadpoolctl tinycss2 tlz toml tomli tomlkit toolz tornado tqdm traitlets
typeguard typer typing_extensions typing_inspect typing_inspection tzdata tzlocal uri_template urllib3 uv uvicorn
uvloop validate vine virtualenv voluptuous waitress wcwidth webcolors webencodings websocket werkzeug wrapt yaml yarl
zc zict zipp zmq
"""
STDLIB = """
abc aifc antigravity argparse array ast asynchat asyncio asyncore atexit audioop base64 bdb binascii bisect builtins
bz2 calendar cgi cgitb chunk cmath cmd code codecs codeop collections colorsys compileall concurrent configparser
contextlib contextvars copy copyreg crypt csv ctypes curses dataclasses datetime dbm decimal difflib dis distutils
doctest email encodings ensurepip enum errno faulthandler fcntl filecmp fileinput fnmatch fractions ftplib functools
gc genericpath getopt getpass gettext glob graphlib grp gzip hashlib heapq hmac html http idlelib imaplib imghdr imp
importlib inspect io ipaddress itertools json keyword lib2to3 linecache locale logging lzma mailbox mailcap marshal
math mimetypes mmap modulefinder msilib msvcrt multiprocessing netrc nis nntplib nt ntpath nturl2path numbers opcode
operator optparse os ossaudiodev pathlib pdb pickle pickletools pipes pkgutil platform plistlib poplib posix posixpath
pprint profile pstats pty pwd py_compile pyclbr pydoc pydoc_data pyexpat queue quopri random re readline reprlib
resource rlcompleter runpy sched secrets select selectors shelve shlex shutil signal site smtpd smtplib sndhdr socket
socketserver spwd sqlite3 sre_compile sre_constants sre_parse ssl stat statistics string stringprep struct subprocess
sunau symtable sys sysconfig syslog tabnanny tarfile telnetlib tempfile termios textwrap this threading time timeit
tkinter token tokenize tomllib trace traceback tracemalloc tty turtle turtledemo types typing unicodedata unittest
urllib uu uuid venv warnings wave weakref webbrowser winreg winsound wsgiref xdrlib xml xmlrpc zipapp zipfile
zipimport zlib zoneinfo
"""
DEPENDENCY_MODULES = frozenset(DEPENDENCIES.split())
STDLIB_MODULES = frozenset(STDLIB.split())
# END module names


class Invalid(ValueError):
    pass


def shown(value: str) -> str:
    """The value as the error line quotes it: escaped, and cut short when long."""
    return repr(value) if len(value) <= 60 else repr(value[:40]) + f"... ({len(value)} characters)"


def check_text(field: str, value: str) -> None:
    """One line of printable text: TOML, YAML and JSON all take it as a quoted string."""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in "\ufffe\uffff":
            raise Invalid(
                f"{field}: {shown(value)} holds the character U+{ord(char):04X}; use one line of printable text"
            )


def check_name(field: str, value: str, pattern: re.Pattern, rule: str) -> None:
    if not value:
        raise Invalid(f"{field}: the value is empty; {rule}")
    if len(value) > MAX_NAME:
        raise Invalid(f"{field}: {shown(value)} is {len(value)} characters long; use at most {MAX_NAME}")
    if not pattern.fullmatch(value):
        raise Invalid(f"{field}: {shown(value)} is not valid; {rule}")
    if value in WINDOWS_RESERVED:
        raise Invalid(f"{field}: {value!r} is a name Windows reserves for a device; choose another name")


def check_module(value: str) -> None:
    check_name("module_name", value, MODULE, "use lower-case letters, digits and underscores, starting with a letter")
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        raise Invalid(f"module_name: {value!r} is a Python keyword; choose another name")
    if value in STDLIB_MODULES or value in sys.stdlib_module_names:
        raise Invalid(f"module_name: {value!r} would shadow the standard library module of that name")
    if value in DEPENDENCY_MODULES:
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
        raise Invalid(f"dvc_remote_url: {name} name {shown(bucket)} breaks the {remote} naming rule: {rule}")
    try:
        ipaddress.ip_address(bucket)
    except ValueError:
        return
    raise Invalid(f"dvc_remote_url: {name} name {bucket!r} must not be an IP address")


def redacted(url: str) -> str:
    """The URL with its password (or a bare user part, often a token) and its query hidden."""
    parts = urllib.parse.urlsplit(url)
    user, at, host = parts.netloc.rpartition("@")
    netloc = (f"{user.split(':')[0]}:***@" if ":" in user else "***@") + host if at else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "..." if parts.query else "", ""))


def credentials(url: str) -> bool:
    """Whether a URL carries a user part (user:password@, token@) or a secret in its query."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    return "@" in parts.netloc or any(SECRET_QUERY.search(name) for name, _ in query)


def system_folder(path: str, project: str | None) -> bool:
    """Whether a path (relative to the project's folder) is a root, a top-level folder, the home folder, or
    inside the system's own folders. Without the project's folder, a relative path cannot tell: no."""
    if re.match(r"~[\\/]*$", path):
        return True
    drive = re.match(r"[A-Za-z]:[\\/]", path)
    if drive or path.startswith("\\"):
        parts = [part.lower() for part in re.split(r"[\\/]+", path[len(drive.group()) if drive else 0 :]) if part]
        return len(parts) < 1 or parts[0] in WINDOWS_SYSTEM_FOLDERS
    path = os.path.expanduser(path)
    if project is None and not os.path.isabs(path):
        return False
    absolute = os.path.abspath(os.path.join(project or "", path))
    parts = [part for part in posixpath.normpath(absolute).split("/") if part]
    return len(parts) <= 1 or parts[0] in SYSTEM_FOLDERS


def check_remote(remote: str, url: str, project: str | None) -> None:
    if remote == "none":
        if url:
            raise Invalid(f"dvc_remote_url: {url!r} is set but dvc_remote is 'none'; leave the URL empty")
        return
    if not url:
        raise Invalid(f"dvc_remote_url: the value is empty; dvc_remote {remote!r} needs a URL")
    check_text("dvc_remote_url", url)
    scheme, separator, rest = url.partition("://")
    if separator and credentials(url):
        raise Invalid(
            f"dvc_remote_url: {redacted(url)!r} holds credentials, which would be committed; "
            "give them to DVC in .dvc/config.local or the environment (see the README)"
        )
    unsafe = sorted(CONFIG_UNSAFE & set(url)) or ([" "] if url != url.strip() else [])
    if unsafe:
        raise Invalid(f"dvc_remote_url: {shown(url)} holds {unsafe[0]!r}, which DVC's config file cannot hold")
    if remote == "local":
        if separator or url.startswith("file:"):
            raise Invalid(f"dvc_remote_url: {url!r} has a scheme; the local remote takes a folder path")
        if system_folder(url, project):
            raise Invalid(
                f"dvc_remote_url: {url!r} is a root, top-level, home or system folder; use a folder of its own"
            )
        return
    expected = REMOTE_SCHEMES[remote]
    if not separator or scheme != expected:
        raise Invalid(f"dvc_remote_url: {url!r} does not match dvc_remote {remote!r}; use {expected}://<bucket>/<path>")
    check_bucket(remote, rest.split("/", 1)[0])


def check_tracking_uri(uri: str, project: str | None) -> None:
    check_text("mlflow_tracking_uri", uri)
    scheme = uri.partition(":")[0].split("+")[0]
    if credentials(uri):
        raise Invalid(
            f"mlflow_tracking_uri: {redacted(uri)!r} holds credentials, which would be committed; give the URI "
            "without them and set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)"
        )
    if scheme in DATABASE_SCHEMES:
        raise Invalid(
            f"mlflow_tracking_uri: {redacted(uri)!r} needs a database driver the project does not lock; "
            "run an MLflow tracking server on the database and give its http(s):// URL"
        )
    if ":" not in uri or scheme not in TRACKING_SCHEMES:
        raise Invalid(
            f"mlflow_tracking_uri: {shown(uri)} is not a tracking URI; "
            f"use one of the schemes {', '.join(TRACKING_SCHEMES)}"
        )
    if scheme == "sqlite" and system_folder(uri.partition(":///")[2] or "/", project):
        raise Invalid(f"mlflow_tracking_uri: {uri!r} puts the store in a root or system folder; use a path of its own")


def validate(answers: dict, project: str | None = ".") -> None:
    """Raise Invalid for the first bad answer; relative paths are relative to the project's folder
    (cookiecutter runs this hook inside it; copier names it before making it), or None when it is unknown."""
    for field, choices in CHOICES.items():
        if answers.get(field) not in choices:
            raise Invalid(f"{field}: {shown(str(answers.get(field)))} is not one of the choices {', '.join(choices)}")
    for field in ("project_name", "author_name", "author_email", "description"):
        check_text(field, answers[field])
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
        raise Invalid(
            f"author_email: {shown(answers['author_email'])} is not an e-mail address of ASCII letters, digits "
            "and punctuation (name@example.com)"
        )
    check_remote(answers["dvc_remote"], answers["dvc_remote_url"], project)
    check_tracking_uri(answers["mlflow_tracking_uri"], project)


if __name__ == "__main__":
    try:
        validate(json.loads(json.loads(RENDERED_ANSWERS)))
    except Invalid as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
