"""The HTTP stack's own limit: an app that answers every request with the same small JSON body, run
by uvicorn with the loop and HTTP options the scoring service uses (uvloop and httptools when
installed, no access log). By default a plain ASGI app that reads the request's body; with
--fastapi, a FastAPI app with one POST route, which adds the framework's routing but reads no body.
The answer is about the size of the service's answer to one row of the default project.
"""

import argparse

import uvicorn

BODY = b'{"prediction":1,"probabilities":{"0":0.012345,"1":0.987655}}'
HEAD = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())],
}
ANSWER = {"type": "http.response.body", "body": BODY}


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":  # nothing to start or stop
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    while (await receive()).get("more_body", False):
        pass
    await send(HEAD)
    await send(ANSWER)


def fastapi_app():
    from fastapi import FastAPI, Response

    constant = FastAPI()

    @constant.post("/")
    async def answer() -> Response:
        return Response(BODY, media_type="application/json")

    @constant.get("/")
    async def ready() -> Response:
        return Response(BODY, media_type="application/json")

    return constant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fastapi", action="store_true", help="a FastAPI app with one route instead")
    args = parser.parse_args()
    served = fastapi_app() if args.fastapi else app
    uvicorn.run(
        served, host="127.0.0.1", port=args.port, log_level="warning", access_log=False, loop="auto", http="auto"
    )


if __name__ == "__main__":
    main()
