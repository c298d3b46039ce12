"""The digit web app: a FastAPI server with the drawing page and ``POST /api/predict``.

Every way a request can be wrong (too big, too slow, wrong content type, not JSON, not a data URL,
not an image, too many pixels, nothing drawn) is answered with a 4xx JSON error ``{"detail": "..."}``
saying what was wrong; sizes are checked before anything is decoded.

Against hostile pages and clients, :class:`RequestGuard` wraps the whole app: it refuses Host names
the server does not answer to (DNS rebinding) and posts from other sites, before any body is read,
and gives every response, errors and static files included, headers that forbid MIME sniffing,
framing, and any script, style or connection that is not the app's own.
"""
from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import importlib.util
import io
import ipaddress
import json
import logging
import pathlib
import re
import socket
import sys
import time
from typing import Any, Awaitable, Callable, MutableMapping, Sequence

import numpy as np
from PIL import Image

from .. import AppsDependencyError

try:  # the web framework comes with the apps extra, not with mxtorch itself
    import anyio
    from fastapi import Depends, FastAPI, Request
    from fastapi.responses import FileResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles
    from pydantic import BaseModel
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.requests import ClientDisconnect
except ModuleNotFoundError as err:
    raise AppsDependencyError("fastapi", err.name or "fastapi") from None

from .model import DigitClassifier
from .preprocess import BlankImageError, preprocess

__all__ = ["Limits", "InputError", "RequestGuard", "create_app", "decode_digit", "default_allowed_hosts",
           "check_port_free", "header_deadline_protocol", "serve", "Prediction", "ModelInfo",
           "SECURITY_HEADERS", "LOCAL_HOSTS"]

log = logging.getLogger(__name__)

STATIC = pathlib.Path(__file__).resolve().parent / "static"
# Decoders Pillow may use on uploaded bytes: the formats a browser or a phone produces, no others.
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp")
# Sent with every response. The page loads only its own script, stylesheet and API (the preview
# image is a data URL); nothing may frame it, change its base URL or post a form elsewhere.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# Host names that always reach the app: a browser's page cannot rebind these to another server.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclasses.dataclass(frozen=True)
class Limits:
    """Size limits of ``POST /api/predict``, each checked before the data it bounds is decoded.

    Parameters
    ----------
    max_body_bytes : int
        Largest request body (JSON or multipart).
    max_image_bytes : int
        Largest encoded image (PNG, JPEG...) after base64 decoding.
    max_pixels : int
        Largest image, width times height, read from the image header before decoding pixels.
    body_timeout_s : float
        Time allowed to receive a whole request body, counted from the first read, however
        promptly its pieces come: a client that trickles or stalls gets 408 at this deadline.
    header_timeout_s : float
        Time allowed for a request line and its headers, counted from the connection's opening or
        from the first byte of a request that follows another: the server closes connections that
        stall before the request reaches the app (the app's own deadline then covers the body).
    """

    max_body_bytes: int = 4 * 1024 * 1024
    max_image_bytes: int = 2 * 1024 * 1024
    max_pixels: int = 2048 * 2048
    body_timeout_s: float = 30.0
    header_timeout_s: float = 10.0


class InputError(Exception):
    """A request the server refuses: its HTTP status and a message saying what was wrong."""

    def __init__(self, status_code: int, detail: str):
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


class Prediction(BaseModel):
    """The answer of ``POST /api/predict``."""

    digit: int
    probabilities: list[float]
    latency_ms: float
    input_image: str  # the 28x28 input the network saw, as a PNG data URL


class ModelInfo(BaseModel):
    """The answer of ``GET /api/model``."""

    name: str
    params: str
    sha256: str
    verified: bool
    test_accuracy: float | None
    epochs: int | None
    date: str | None
    command: str | None
    context: str


def _require_multipart() -> None:
    """Starlette imports python-multipart only when a form arrives: refuse at start rather than then."""
    if importlib.util.find_spec("python_multipart") is None and importlib.util.find_spec("multipart") is None:
        raise AppsDependencyError("python-multipart", "python_multipart")


def create_app(classifier: DigitClassifier, limits: Limits = Limits(),
               allowed_hosts: Sequence[str] = ()) -> FastAPI:
    """Build the web app around a loaded classifier.

    Parameters
    ----------
    classifier : DigitClassifier
        The network, loaded once and shared by all requests.
    limits : Limits
        Size and time limits for uploads.
    allowed_hosts : sequence of str
        Host names the app answers to besides ``localhost`` and IP addresses (which a DNS
        rebinding attack cannot use). ``*.example.org`` matches every name under example.org;
        ``*`` turns the Host check off (for a reverse proxy that does it).

    Returns
    -------
    fastapi.FastAPI
        The ASGI app: ``GET /`` (the page), ``/static/*``, ``POST /api/predict``,
        ``GET /api/model``, ``GET /healthz``, ``GET /openapi.json``. The interactive API docs
        (``/docs``, ``/redoc``) are off: they load their scripts from a CDN.
    """
    _require_multipart()
    app = FastAPI(title="mxtorch digits", docs_url=None, redoc_url=None)
    app.state.classifier = classifier
    app.state.limits = limits

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        # A client too slow to send its body is not kept waiting on: the connection closes with the answer.
        headers = {"Connection": "close"} if exc.status_code == 408 else None
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(ClientDisconnect)
    async def _client_abort(request: Request, exc: ClientDisconnect) -> JSONResponse:
        # Nobody is left to read this answer; the abort is the client's doing, not a server error.
        received = request.scope.get("mxtorch.body_received", 0)
        declared = request.headers.get("content-length", "?")
        client = _client_label(request.client)
        log.info("%s - %s %s: the client closed the connection after sending %d of %s bytes of its body",
                 client, request.method, request.url.path, received, declared)
        return JSONResponse({"detail": "the client closed the connection before its body was complete"},
                            status_code=400)

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> JSONResponse:
        # Answered outside RequestGuard's reach (Starlette's outermost layer), so the headers are added here.
        return JSONResponse({"detail": "internal server error"}, status_code=500, headers=SECURITY_HEADERS)

    app.add_middleware(RequestGuard, allowed_hosts=allowed_hosts)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.get("/", include_in_schema=False)(_index)
    app.get("/healthz")(_healthz)
    app.get("/api/model", response_model=ModelInfo)(_model_info)
    app.post("/api/predict", response_model=Prediction)(_predict)
    return app


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_HOST = re.compile(r"(?:\[(?P<ipv6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9_.-]+))(?::[0-9]{1,5})?")


class RequestGuard:
    """ASGI middleware between the network and the app: what a hostile page or client may not do.

    * A request whose Host header names none of the app's hosts gets 400 (a DNS rebinding page
      reaches the server under its own domain name). Accepted: ``localhost``, any IP address, and
      ``allowed_hosts`` (exact names, ``*.domain`` for the names under it, ``*`` for all).
    * A POST (any method but GET, HEAD, OPTIONS) that a browser says comes from another site
      (``Sec-Fetch-Site: cross-site`` or ``same-site``) or from another origin (``Origin``, which
      browsers send with every form post and fetch) gets 403 before its body is read. Programs
      that send neither header (curl, httpx) are served.
    * Every response gets :data:`SECURITY_HEADERS`.

    Parameters
    ----------
    app : ASGI application
        The app to guard.
    allowed_hosts : sequence of str
        Host names to accept besides the local ones and IP addresses.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str] = ()):
        self.app = app
        names = [name.strip().lower().rstrip(".") for name in allowed_hosts]
        self.any_host = "*" in names
        self.names = frozenset(LOCAL_HOSTS) | {n for n in names if not n.startswith("*")}
        self.suffixes = tuple(n[1:] for n in names if n.startswith("*.") and len(n) > 2)
        self.hint = ", ".join(sorted(set(names) | {"localhost", "IP addresses"}))
        self.raw_headers = [(key.lower().encode("latin-1"), value.encode("latin-1"))
                            for key, value in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {key.lower() for key, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (key, value) for key, value in self.raw_headers if key not in present]
            await send(message)

        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        refusal = self.host_refusal(headers.get("host"))
        if refusal is None and scope["method"] not in _SAFE_METHODS:
            refusal = self.cross_site_refusal(headers)
        if refusal is None:
            await self.app(scope, receive, send_with_headers)
            return
        status, detail = refusal
        response = JSONResponse({"detail": detail}, status_code=status, headers={"Connection": "close"})
        await response(scope, receive, send_with_headers)

    def host_refusal(self, host: str | None) -> tuple[int, str] | None:
        """(400, why) when the Host header names no host of this app, else None."""
        if host is None:
            return 400, "the request has no Host header"
        match = _HOST.fullmatch(host.strip().lower())
        name = match and (match["ipv6"] or match["name"].rstrip("."))
        if name and (self.any_host or name in self.names or name.endswith(self.suffixes) or _is_ip(name)):
            return None
        return 400, (f"the Host header {host!r} is not a name this server answers to ({self.hint}); "
                     f"start it with --allowed-host NAME to accept another")

    @staticmethod
    def cross_site_refusal(headers: dict[str, str]) -> tuple[int, str] | None:
        """(403, why) when the browser says a state-changing request comes from another site."""
        site = headers.get("sec-fetch-site")
        if site in ("cross-site", "same-site"):
            return 403, (f"cross-site request refused: the browser marks this {site} request as coming "
                         f"from another site's page")
        origin = headers.get("origin")
        if origin is None:  # not sent by a browser page
            return None
        scheme, _, netloc = origin.lower().partition("://")
        if scheme in ("http", "https") and netloc == headers.get("host", "").strip().lower():
            return None
        return 403, (f"cross-site request refused: it comes from a page at {origin!r}, not from this "
                     f"app's own page")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def default_allowed_hosts(bind_host: str, extra: Sequence[str] = ()) -> list[str]:
    """The host names a server listening on ``bind_host`` answers to, besides localhost and IP addresses.

    ``extra`` (``--allowed-host``) first; then ``bind_host`` itself when it is a name; and when the
    server listens beyond loopback on an address, this machine's host name (``socket.gethostname``),
    as people on the network type it. Any other name must be given in ``extra``.
    """
    names = [name.strip().lower() for name in extra]
    host = bind_host.strip().strip("[]").lower().rstrip(".")
    if not _is_ip(host):
        candidates = [host] if host not in LOCAL_HOSTS else []
    elif not ipaddress.ip_address(host).is_loopback:
        candidates = [socket.gethostname().lower()]
    else:
        candidates = []
    return names + [name for name in candidates if name and name not in names]


def _classifier(request: Request) -> DigitClassifier:
    return request.app.state.classifier


def _limits(request: Request) -> Limits:
    return request.app.state.limits


async def _index() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


async def _healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _model_info(classifier: DigitClassifier = Depends(_classifier)) -> dict[str, Any]:
    return classifier.info()


async def _predict(request: Request, classifier: DigitClassifier = Depends(_classifier),
                   limits: Limits = Depends(_limits)) -> dict[str, Any]:
    """Classify a drawn digit sent as JSON ``{"image": data URL}`` or as a multipart ``image`` file."""
    start = time.perf_counter()
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json":
        encoded = _image_from_json(await _read_body(request, limits), limits)
    elif media_type == "multipart/form-data":
        encoded = await _image_from_multipart(request, limits)
    else:
        raise InputError(415, f"unsupported content type {media_type or '(none)'!r}: send application/json "
                              f"{{\"image\": \"data:image/png;base64,...\"}} or multipart/form-data with an "
                              f"'image' file")
    digit_input, probs = await run_in_threadpool(_classify, classifier, encoded, limits)
    return {
        "digit": int(np.argmax(probs)),
        "probabilities": [float(p) for p in probs],
        "latency_ms": (time.perf_counter() - start) * 1000.0,
        "input_image": _png_data_url(digit_input),
    }


async def _read_body(request: Request, limits: Limits) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed ``limits.max_body_bytes``,
    and with 408 when it has not all arrived ``limits.body_timeout_s`` seconds after the first read.

    A client that disconnects midway raises :class:`ClientDisconnect`, answered as a client abort.
    """
    limit = limits.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():  # uvicorn refuses these itself; other ASGI servers may not
            raise InputError(400, f"the Content-Length header {declared!r} is not a number")
        if int(declared) > limit:
            raise InputError(413, f"the request body is {int(declared)} bytes; the limit is {limit} bytes")
    chunks, size = [], 0
    with anyio.move_on_after(limits.body_timeout_s) as deadline:
        async for chunk in request.stream():
            size += len(chunk)
            request.scope["mxtorch.body_received"] = size
            if size > limit:
                raise InputError(413, f"the request body is over the limit of {limit} bytes")
            chunks.append(chunk)
    if deadline.cancelled_caught:
        raise InputError(408, f"the request body did not arrive within {limits.body_timeout_s:g} s "
                              f"({size} bytes came)")
    return b"".join(chunks)


def _image_from_json(body: bytes, limits: Limits) -> bytes:
    try:
        payload = json.loads(body)
    except ValueError as err:  # UnicodeDecodeError and JSONDecodeError included
        raise InputError(400, f"the body is not valid JSON: {err}") from None
    except RecursionError:  # json's parser recurses once per nested array or object
        raise InputError(400, "the body is JSON nested too deeply; expected "
                              "{\"image\": \"data:image/png;base64,...\"}") from None
    if not isinstance(payload, dict) or "image" not in payload:
        raise InputError(422, "the JSON body must be an object with an 'image' field: "
                              "{\"image\": \"data:image/png;base64,...\"}")
    if not isinstance(payload["image"], str):
        raise InputError(422, f"'image' must be a data URL string, got {type(payload['image']).__name__}")
    return _decode_data_url(payload["image"], limits)


def _decode_data_url(url: str, limits: Limits) -> bytes:
    """The bytes of a ``data:image/...;base64,...`` URL, its size checked before decoding."""
    if not url.startswith("data:"):
        raise InputError(422, "'image' is not a data URL: expected \"data:image/png;base64,...\"")
    header, comma, data = url[len("data:"):].partition(",")
    if not comma:
        raise InputError(422, "the data URL has no ',' between its header and its data")
    fields = [f.strip().lower() for f in header.split(";")]
    media_type = fields[0] or "text/plain"
    if media_type not in IMAGE_TYPES:
        raise InputError(415, f"the data URL holds {media_type!r}, not an image; expected one of "
                              f"{', '.join(IMAGE_TYPES)}")
    if "base64" not in fields[1:]:
        raise InputError(422, "the data URL is not base64-encoded: expected \"data:image/png;base64,...\"")
    decoded_size = len(data) * 3 // 4
    if decoded_size > limits.max_image_bytes:
        raise InputError(413, f"the image is about {decoded_size} bytes; the limit is "
                              f"{limits.max_image_bytes} bytes")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as err:
        raise InputError(422, f"the data URL's base64 data is malformed: {err}") from None


async def _image_from_multipart(request: Request, limits: Limits) -> bytes:
    body = await _read_body(request, limits)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    # The body is already read (and bounded); parse it through a request that replays it.
    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=8)
    except StarletteHTTPException as err:
        raise InputError(400, f"the multipart body is malformed: {err.detail}") from None
    try:
        upload = form.get("image")
        if upload is None or isinstance(upload, str):
            raise InputError(422, "the multipart body has no file field named 'image'")
        data = await upload.read(limits.max_image_bytes + 1)
        if len(data) > limits.max_image_bytes:
            raise InputError(413, f"the image file is over the limit of {limits.max_image_bytes} bytes")
        return data
    finally:
        await form.close()


def _classify(classifier: DigitClassifier, encoded: bytes, limits: Limits) -> tuple[np.ndarray, np.ndarray]:
    """Decode, preprocess and classify one image: (the 28x28 input, the 10 probabilities)."""
    digit_input = decode_digit(encoded, limits)
    return digit_input, classifier.predict(digit_input[None])[0]


def decode_digit(encoded: bytes, limits: Limits = Limits()) -> np.ndarray:
    """Decode uploaded image bytes and preprocess them into the network's 28x28 input, as
    ``POST /api/predict`` does.

    Parameters
    ----------
    encoded : bytes
        The image file (PNG, JPEG, GIF, BMP or WebP), as uploaded or decoded from a data URL.
    limits : Limits
        ``max_pixels`` is checked against the image header before any pixel is decoded.

    Returns
    -------
    numpy.ndarray
        ``float32`` array of shape ``(28, 28)``, values in [0, 1].

    Raises
    ------
    InputError
        For anything that is not a readable, non-blank image within the limits (413 or 422).
    """
    image = _open_image(encoded, limits)
    try:
        return preprocess(image)
    except BlankImageError as err:
        raise InputError(422, str(err)) from None
    except (ValueError, OSError) as err:  # a pixel format Pillow decodes but cannot convert
        raise InputError(422, f"the image's pixels (mode {image.mode}) cannot be read: {err}") from None


def _open_image(encoded: bytes, limits: Limits) -> Image.Image:
    """Decode an image, refusing it by its header's size before decoding any pixel."""
    if not encoded:
        raise InputError(422, "the image is empty (0 bytes)")
    try:
        image = Image.open(io.BytesIO(encoded), formats=IMAGE_FORMATS)
    except Image.DecompressionBombError:  # declared dimensions past even Pillow's own limit
        raise InputError(413, f"the image's header declares too many pixels; the limit is "
                              f"{limits.max_pixels} pixels") from None
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError) for bad bytes
        raise InputError(422, f"the data is not an image that can be read; expected one of "
                              f"{', '.join(IMAGE_FORMATS)}") from None
    width, height = image.size
    if width * height > limits.max_pixels:
        raise InputError(413, f"the image is {width}x{height} = {width * height} pixels; the limit is "
                              f"{limits.max_pixels} pixels")
    try:
        image.load()
    except Exception as err:  # truncated or corrupt pixel data
        raise InputError(422, f"the image data is corrupt or truncated: {err}") from None
    return image


def _png_data_url(digit_input: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(np.round(digit_input * 255).astype(np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def header_deadline_protocol(seconds: float) -> type:
    """uvicorn's h11 protocol, closing a connection whose request line and headers have not all
    arrived ``seconds`` after it opened (or after the first byte of its next request).

    uvicorn times out idle keep-alive connections but not one that sends its headers a byte at a
    time; without this a few hundred such clients hold every connection the server has.
    """
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderDeadlineProtocol(H11Protocol):
        _header_timer: Any = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm_header_deadline()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is h11.IDLE:   # still reading a request line or headers
                self._arm_header_deadline()
            else:
                self._disarm_header_deadline()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm_header_deadline()
            super().connection_lost(exc)

        def _arm_header_deadline(self) -> None:
            if self._header_timer is None and not self.transport.is_closing():
                self._header_timer = self.loop.call_later(seconds, self._headers_too_slow)

        def _disarm_header_deadline(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                log.info("%s: closed a connection whose request headers did not arrive within %g s",
                         _client_label(self.client), seconds)
                self.transport.close()

    return HeaderDeadlineProtocol


def _client_label(client: Any) -> str:
    return f"{client[0]}:{client[1]}" if client else "a client"


def check_port_free(host: str, port: int) -> None:
    """Raise OSError, naming the way to choose another port, when ``host:port`` cannot be listened
    on (another server holds it, or the address is not this machine's)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as err:
            raise OSError(f"cannot listen on {host}:{port} ({err.strerror or err}); choose another "
                          f"port with --port N (with make: make digits PORT=N)") from None


def serve(host: str = "127.0.0.1", port: int = 8000, params: str | None = None,
          ctx: Any = None, log_level: str = "info", allowed_hosts: Sequence[str] = ()) -> None:
    """Load the model once and serve the app with uvicorn until interrupted.

    Parameters
    ----------
    host : str
        Interface to listen on.
    port : int
        TCP port.
    params : str, optional
        Parameter file; the shipped LeNet when omitted.
    ctx : Context, optional
        Where the network runs; ``mx.cpu()`` when omitted.
    log_level : str
        uvicorn's log level.
    allowed_hosts : sequence of str
        Host names to answer to; with :func:`default_allowed_hosts`'s for ``host`` added.
    """
    try:  # only when serving: importing the app (tests, ASGI servers) does not need it
        import uvicorn
    except ModuleNotFoundError:
        raise AppsDependencyError("uvicorn", "uvicorn") from None
    _require_multipart()
    check_port_free(host, port)  # before loading the model: a busy port is the commonest mistake

    classifier = DigitClassifier(params, ctx=ctx)
    info = classifier.info()
    accuracy = f", {info['test_accuracy']:.2%} MNIST test accuracy" if info["test_accuracy"] else ""
    print(f"mxtorch digits: {info['params']} ({'sha256 verified' if info['verified'] else 'no model card'}"
          f"{accuracy}) on {info['context']}; open http://{host}:{port}/", file=sys.stderr)
    names = default_allowed_hosts(host, allowed_hosts)
    print(f"mxtorch digits: answering to Host localhost, IP addresses{''.join(', ' + n for n in names)}",
          file=sys.stderr)
    # The app's own log lines (client aborts) go to uvicorn's console handler, in its format.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"][log.name] = {"handlers": ["default"], "level": log_level.upper(),
                                       "propagate": False}
    uvicorn.run(create_app(classifier, allowed_hosts=names), host=host, port=port, log_level=log_level,
                log_config=log_config, server_header=False,
                http=header_deadline_protocol(Limits().header_timeout_s))
