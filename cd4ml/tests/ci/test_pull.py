from hypothesis import given, settings
from test_markup import HOSTILE, MARKDOWN, inline_text, spaced

from cd4ml.ci import pull

ACCOUNT_KEY = "AccountKey=a2V5;"


def azure(**settings: str) -> dict:
    return {"name": "storage", "url": "azure://team-data/path", **settings}


def test_the_azure_endpoint_comes_from_the_connection_string():
    local = f"DefaultEndpointsProtocol=http;AccountName=dev;{ACCOUNT_KEY}BlobEndpoint=http://127.0.0.1:10000/dev;"
    assert pull.endpoint_of(azure(), {"AZURE_STORAGE_CONNECTION_STRING": local}) == (
        "http://127.0.0.1:10000/dev"
    )
    suffix = "EndpointSuffix=core.usgovcloudapi.net"
    cloud = f"DefaultEndpointsProtocol=https;AccountName=acme;{ACCOUNT_KEY}{suffix}"
    assert pull.endpoint_of(azure(connection_string=cloud), {}) == (
        "https://acme.blob.core.usgovcloudapi.net"
    )
    emulator = {"AZURE_STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true"}
    assert pull.endpoint_of(azure(), emulator) == "http://127.0.0.1:10000"


def test_the_azure_endpoint_comes_from_the_account_name_otherwise():
    assert pull.endpoint_of(azure(account_name="acme"), {}) == "https://acme.blob.core.windows.net"
    assert pull.endpoint_of(azure(), {"AZURE_STORAGE_ACCOUNT": "team"}) == (
        "https://team.blob.core.windows.net"
    )
    assert pull.endpoint_of(azure(), {}) is None


def test_an_endpointurl_setting_wins_and_a_folder_has_no_endpoint():
    s3 = {"name": "storage", "url": "s3://bucket/path", "endpointurl": "http://127.0.0.1:9000"}
    assert pull.endpoint_of(s3, {}) == "http://127.0.0.1:9000"
    assert pull.endpoint_of({"name": "storage", "url": "s3://bucket/path"}, {}) == (
        "https://s3.amazonaws.com"
    )
    assert pull.endpoint_of({"name": "storage", "url": "/srv/dvc-store/team"}, {}) is None


def test_the_data_note_holds_the_remote_and_dvcs_reason_as_text(params, tmp_path, monkeypatch):
    """The remote's name and URL come from .dvc/config, the reason from DVC's message: in the
    note that opens the PR report, each is text, not Markdown or HTML."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").mkdir()
    note = tmp_path / params["paths"]["data_note"]

    @settings(max_examples=30, deadline=None)
    @given(HOSTILE, HOSTILE, HOSTILE.filter(str.strip))
    def check(name: str, url: str, reason: str) -> None:
        monkeypatch.setattr(pull, "default_remote", lambda: {"name": name, "url": url})
        monkeypatch.setattr(pull, "failure", lambda *arguments: reason)
        pull.main(params)
        assert shown(note.read_text()) == (
            f"The DVC remote could not be read ({spaced(reason)}), as on a pull request from a "
            "fork: the pipeline ran on the bundled data."
        )
        monkeypatch.setattr(pull, "failure", lambda *arguments: None)
        pull.main(params)
        assert shown(note.read_text()) == (
            f"Data and outputs were pulled from the DVC remote {spaced(name)} ({spaced(url)})."
        )

    check()


def shown(markdown: str) -> str:
    """A one-paragraph note's text as a reader sees it."""
    (paragraph,) = [token for token in MARKDOWN.parse(markdown) if token.type == "inline"]
    return inline_text(paragraph)
