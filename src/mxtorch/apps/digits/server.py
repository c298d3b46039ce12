"""The digit web app: a FastAPI server with the drawing page and ``POST /api/predict``.

Every way a request can be wrong (too big, wrong content type, not JSON, not a data URL, not an
image, too many pixels, nothing drawn) is answered with a 4xx JSON error ``{"detail": "..."}``
saying what was wrong; sizes are checked before anything is decoded.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import io
import json
import pathlib
import sys
import time
from typing import Any

import numpy as np
from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from PIL import Image
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .model import DigitClassifier
from .preprocess import BlankImageError, preprocess

__all__ = ["Limits", "InputError", "create_app", "serve", "Prediction", "ModelInfo"]

STATIC = pathlib.Path(__file__).resolve().parent / "static"
# Decoders Pillow may use on uploaded bytes: the formats a browser or a phone produces, no others.
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp")


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
    """

    max_body_bytes: int = 4 * 1024 * 1024
    max_image_bytes: int = 2 * 1024 * 1024
    max_pixels: int = 2048 * 2048


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


def create_app(classifier: DigitClassifier, limits: Limits = Limits()) -> FastAPI:
    """Build the web app around a loaded classifier.

    Parameters
    ----------
    classifier : DigitClassifier
        The network, loaded once and shared by all requests.
    limits : Limits
        Size limits for uploads.

    Returns
    -------
    fastapi.FastAPI
        The ASGI app: ``GET /`` (the page), ``/static/*``, ``POST /api/predict``,
        ``GET /api/model``, ``GET /healthz``.
    """
    app = FastAPI(title="mxtorch digits", docs_url="/api/docs", redoc_url=None)
    app.state.classifier = classifier
    app.state.limits = limits

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.get("/", include_in_schema=False)(_index)
    app.get("/healthz")(_healthz)
    app.get("/api/model", response_model=ModelInfo)(_model_info)
    app.post("/api/predict", response_model=Prediction)(_predict)
    return app


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
        encoded = _image_from_json(await _read_body(request, limits.max_body_bytes), limits)
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


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():  # uvicorn refuses these itself; other ASGI servers may not
            raise InputError(400, f"the Content-Length header {declared!r} is not a number")
        if int(declared) > limit:
            raise InputError(413, f"the request body is {int(declared)} bytes; the limit is {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InputError(413, f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
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
    body = await _read_body(request, limits.max_body_bytes)

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
    image = _open_image(encoded, limits)
    try:
        digit_input = preprocess(image)
    except BlankImageError as err:
        raise InputError(422, str(err)) from None
    except (ValueError, OSError) as err:  # a pixel format Pillow decodes but cannot convert
        raise InputError(422, f"the image's pixels (mode {image.mode}) cannot be read: {err}") from None
    return digit_input, classifier.predict(digit_input[None])[0]


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


def serve(host: str = "127.0.0.1", port: int = 8000, params: str | None = None,
          ctx: Any = None, log_level: str = "info") -> None:
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
    """
    import uvicorn  # only when serving: importing the app (tests, ASGI servers) does not need it

    classifier = DigitClassifier(params, ctx=ctx)
    info = classifier.info()
    accuracy = f", {info['test_accuracy']:.2%} MNIST test accuracy" if info["test_accuracy"] else ""
    print(f"mxtorch digits: {info['params']} ({'sha256 verified' if info['verified'] else 'no model card'}"
          f"{accuracy}) on {info['context']}; open http://{host}:{port}/", file=sys.stderr)
    uvicorn.run(create_app(classifier), host=host, port=port, log_level=log_level)
