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
