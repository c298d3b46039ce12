"""The digit app's HTTP API, served by a real uvicorn: answers, limits and every bad-input case."""
import base64
import concurrent.futures
import io
import json
import re
import shutil
import socket

import httpx
import numpy as np
import pytest
from PIL import Image, ImageDraw

from mxtorch.apps.digits import model as model_module
from mxtorch.apps.digits.model import DigitClassifier, ModelCard, ModelIntegrityError, card_path
from mxtorch.apps.digits.preprocess import preprocess
from mxtorch.apps.digits.server import Limits, create_app
from mxtorch._fileio.atomic import hexdigest
from tests.apps.live_server import running_server
from tests.apps.sample_images import png_declaring

# Small limits keep the oversized requests small.
LIMITS = Limits(max_body_bytes=300_000, max_image_bytes=200_000, max_pixels=1_000_000)


@pytest.fixture(scope="module")
def classifier(lenet_params):
    return DigitClassifier(lenet_params)


@pytest.fixture(scope="module")
def client(classifier):
    with running_server(create_app(classifier, LIMITS)) as url, httpx.Client(base_url=url, timeout=30) as c:
        yield c


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64," + base64.b64encode(data).decode("ascii")


def _drawing() -> Image.Image:
    """A '7' drawn like the page draws: black strokes on a transparent 280x280 canvas."""
    image = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(70, 60), (200, 60), (120, 230)], fill=(0, 0, 0, 255), width=22)
    return image


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_model_info(client, classifier, lenet_params):
    info = client.get("/api/model").json()
    assert info["name"] == "lenet" and info["verified"] is True
    assert info["sha256"] == classifier.sha256 == hexdigest(lenet_params)
    assert info["context"] == "cpu(0)"


def test_page_and_its_assets_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<canvas id="canvas"' in page.text
    # what the page loads (src=, <link href=>); its <a> links are for the reader to follow
    assets = re.findall(r'src="([^"]+)"', page.text) + re.findall(r'<link [^>]*href="([^"]+)"', page.text)
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith(("/static/", "data:")), f"{asset} is not served by the app"
        if asset.startswith("/static/"):
            response = client.get(asset)
            assert response.status_code == 200
            assert "http://" not in response.text and "https://" not in response.text


def test_predict_json_data_url(client, classifier):
    drawing = _drawing()
    response = client.post("/api/predict", json={"image": _data_url(_png(drawing))})
    assert response.status_code == 200
    body = response.json()
    expected = classifier.predict(preprocess(drawing)[None])[0]
    assert body["digit"] == int(np.argmax(expected))
    np.testing.assert_allclose(body["probabilities"], expected, rtol=1e-5, atol=1e-6)
    assert len(body["probabilities"]) == 10 and abs(sum(body["probabilities"]) - 1) < 1e-4
    assert body["latency_ms"] > 0
    assert body["input_image"].startswith("data:image/png;base64,")
    seen = Image.open(io.BytesIO(base64.b64decode(body["input_image"].split(",", 1)[1])))
    assert seen.size == (28, 28)
    np.testing.assert_allclose(np.asarray(seen) / 255.0, preprocess(drawing), atol=1 / 255)


def test_predict_multipart_upload_matches_json(client):
    png = _png(_drawing())
    by_json = client.post("/api/predict", json={"image": _data_url(png)}).json()
    by_upload = client.post("/api/predict", files={"image": ("digit.png", png, "image/png")}).json()
    assert by_upload["digit"] == by_json["digit"]
    np.testing.assert_allclose(by_upload["probabilities"], by_json["probabilities"], rtol=1e-6)


def test_predict_accepts_jpeg_black_on_white(client):
    image = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(image).line([(100, 30), (100, 170)], fill=0, width=16)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    response = client.post("/api/predict", json={"image": _data_url(buffer.getvalue(), "image/jpeg")})
    assert response.status_code == 200 and 0 <= response.json()["digit"] <= 9


def _truncated_png() -> bytes:
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (100, 100), dtype=np.uint8))
    return _png(noise)[:400]


def _noise_png(side: int) -> bytes:
    return _png(Image.fromarray(np.random.default_rng(1).integers(0, 255, (side, side), dtype=np.uint8)))


JSON = {"Content-Type": "application/json"}
BAD_REQUESTS = {
    "malformed base64": (dict(json={"image": "data:image/png;base64,iVBOR#w0KGgo"}),
                         422, "base64 data is malformed"),
    "data URL of another type": (dict(json={"image": "data:text/plain;base64,aGVsbG8="}),
                                 415, "holds 'text/plain', not an image"),
    "not a data URL": (dict(json={"image": "iVBORw0KGgo="}), 422, "'image' is not a data URL"),
    "data URL without comma": (dict(json={"image": "data:image/png;base64"}), 422, "no ','"),
    "data URL not base64": (dict(json={"image": "data:image/png,abc"}), 422, "not base64-encoded"),
    "bytes that are not an image": (dict(json={"image": _data_url(b"hello, this is text")}),
                                    422, "not an image that can be read"),
    "an image format not accepted": (dict(json={"image": _data_url(b"II*\x00" + bytes(60))}),
                                     422, "not an image that can be read; expected one of PNG"),
    "empty image": (dict(json={"image": "data:image/png;base64,"}), 422, "the image is empty"),
    "truncated image": (dict(json={"image": _data_url(_truncated_png())}), 422, "corrupt or truncated"),
    "blank canvas": (dict(json={"image": _data_url(_png(Image.new("RGBA", (280, 280), (0, 0, 0, 0))))}),
                     422, "the image is blank"),
    "blank white photo": (dict(json={"image": _data_url(_png(Image.new("RGB", (64, 64), "white")))}),
                          422, "the image is blank"),
    "image over the byte limit": (dict(json={"image": _data_url(_noise_png(460))}),
                                  413, "the image is about \\d+ bytes; the limit is 200000 bytes"),
    "image over the pixel limit": (dict(json={"image": _data_url(_png(Image.new("L", (1001, 1000))))}),
                                   413, "1001x1000 = 1001000 pixels; the limit is 1000000 pixels"),
    "oversized body": (dict(content=b'{"image": "' + b"A" * 400_000 + b'"}', headers=JSON),
                       413, "the request body is \\d+ bytes; the limit is 300000 bytes"),
    "wrong content type": (dict(content=b"iVBORw0KGgo=", headers={"Content-Type": "text/plain"}),
                           415, "unsupported content type 'text/plain'"),
    "no content type": (dict(content=b"iVBORw0KGgo="), 415, "unsupported content type '\\(none\\)'"),
    "raw image body": (dict(content=_png(_drawing()), headers={"Content-Type": "image/png"}),
                       415, "unsupported content type 'image/png'"),
    "invalid JSON": (dict(content=b'{"image": ', headers=JSON), 400, "the body is not valid JSON"),
    "JSON without image": (dict(json={"picture": "x"}), 422, "an object with an 'image' field"),
    "JSON that is a list": (dict(json=["data:image/png;base64,"]), 422, "an object with an 'image' field"),
    "image not a string": (dict(json={"image": 5}), 422, "must be a data URL string, got int"),
    "image null": (dict(json={"image": None}), 422, "must be a data URL string, got NoneType"),
    "deeply nested JSON array": (dict(content=b"[" * 100_000 + b"]" * 100_000, headers=JSON),
                                 400, "nested too deeply"),
    "deeply nested JSON object": (dict(content=b'{"image": ' * 20_000 + b"1" + b"}" * 20_000, headers=JSON),
                                  400, "nested too deeply"),
    "zero-width image": (dict(json={"image": _data_url(png_declaring(0, 10))}),
                         422, "not an image that can be read"),
    "PNG bomb under Pillow's limit": (dict(json={"image": _data_url(png_declaring(9000, 9000))}),
                                      413, "9000x9000 = 81000000 pixels; the limit is 1000000 pixels"),
    "PNG bomb over Pillow's limit": (dict(json={"image": _data_url(png_declaring(100_000, 100_000))}),
                                     413, "declares too many pixels; the limit is 1000000 pixels"),
    "multipart without image": (dict(files={"picture": ("d.png", b"x", "image/png")}),
                                422, "no file field named 'image'"),
    "multipart image as text field": (dict(data={"image": "data:image/png;base64,"},
                                           files={"note": ("note.txt", b"x", "text/plain")}),
                                      422, "no file field named 'image'"),
    "form-urlencoded body": (dict(data={"image": "data:image/png;base64,"}),
                             415, "unsupported content type 'application/x-www-form-urlencoded'"),
    "multipart without boundary": (dict(content=b"--x\r\n", headers={"Content-Type": "multipart/form-data"}),
                                   400, "the multipart body is malformed"),
    "multipart image over the byte limit": (dict(files={"image": ("d.png", _noise_png(460), "image/png")}),
                                            413, "the image file is over the limit of 200000 bytes"),
    "multipart not an image": (dict(files={"image": ("d.png", b"GIF89a-not-really", "image/png")}),
                               422, "not an image that can be read"),
}


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_bad_input_gets_a_clear_4xx(client, case):
    request, status, message = BAD_REQUESTS[case]
    response = client.post("/api/predict", **request)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert re.search(message, response.json()["detail"]), response.json()["detail"]


def _stroke() -> np.ndarray:
    """A '1': a white anti-aliased bar on black, 60x60 uint8."""
    image = Image.new("L", (60, 60), 0)
    ImageDraw.Draw(image).line([(30, 8), (27, 52)], fill=255, width=5)
    return np.asarray(image)


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


_STROKE = Image.fromarray(_stroke())
# Pixel formats a browser or phone may send, each read as the same drawing (lossless ones exactly).
PIXEL_FORMATS = {
    "palette PNG": (_encoded(_STROKE.convert("P"), "PNG"), "image/png", True),
    "16-bit PNG": (_encoded(Image.fromarray(_stroke().astype(np.uint16) * 257), "PNG"), "image/png", True),
    "1-bit PNG": (_encoded(_STROKE.point(lambda v: 255 if v > 127 else 0).convert("1"), "PNG"),
                  "image/png", False),
    "gray+alpha PNG": (_encoded(_STROKE.convert("LA"), "PNG"), "image/png", True),
    "CMYK JPEG": (_encoded(_STROKE.convert("CMYK"), "JPEG", quality=95), "image/jpeg", False),
    "animated GIF": (_encoded(_STROKE, "GIF", save_all=True, append_images=[Image.new("L", (60, 60))] * 3),
                     "image/gif", True),
    "animated WebP": (_encoded(_STROKE.convert("RGB"), "WEBP", lossless=True, save_all=True,
                               append_images=[Image.new("RGB", (60, 60))] * 3), "image/webp", True),
    "BMP": (_encoded(_STROKE, "BMP"), "image/bmp", True),
}


@pytest.mark.parametrize("case", list(PIXEL_FORMATS))
def test_pixel_formats_are_read(client, classifier, case):
    data, media_type, lossless = PIXEL_FORMATS[case]
    response = client.post("/api/predict", json={"image": _data_url(data, media_type)})
    assert response.status_code == 200, response.text
    if lossless:  # the first frame of an animation, the drawing's own gray levels
        expected = classifier.predict(preprocess(_STROKE)[None])[0]
        np.testing.assert_allclose(response.json()["probabilities"], expected, rtol=1e-4, atol=1e-6)


def _raw_request(client, head: str) -> tuple[int, dict]:
    """Send a hand-written request (headers httpx would not send) and read the JSON answer."""
    with socket.create_connection((client.base_url.host, client.base_url.port), timeout=10) as sock:
        sock.sendall(head.encode("ascii") + b"\r\n{}")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head_bytes, _, body = answer.partition(b"\r\n\r\n")
    return int(head_bytes.split()[1]), json.loads(body)


def test_declared_oversized_body_is_refused_before_it_is_read(client):
    # The body is announced as ~1 GB but never sent: the answer must come from the header alone.
    status, body = _raw_request(client, "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        "Connection: close\r\nContent-Type: application/json\r\n"
                                        "Content-Length: 999999999\r\n")
    assert status == 413
    assert "999999999 bytes; the limit is 300000 bytes" in body["detail"]


def test_server_keeps_serving_after_bad_input(client):
    for case in ("malformed base64", "truncated image", "oversized body", "invalid JSON",
                 "multipart without boundary", "image over the pixel limit"):
        assert client.post("/api/predict", **BAD_REQUESTS[case][0]).status_code == BAD_REQUESTS[case][1]
    assert client.get("/healthz").status_code == 200
    assert client.post("/api/predict", json={"image": _data_url(_png(_drawing()))}).status_code == 200


def test_concurrent_requests_get_consistent_answers(client):
    payloads = [_png(_drawing().rotate(angle)) for angle in (0, 10, 20, 30)] * 6

    def predict(png: bytes) -> list[float]:
        response = client.post("/api/predict", json={"image": _data_url(png)})
        assert response.status_code == 200
        return response.json()["probabilities"]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(predict, payloads))
    for k, probs in enumerate(answers):
        np.testing.assert_allclose(probs, answers[k % 4], rtol=1e-5, atol=1e-7)


def test_mismatching_sha256_is_refused(lenet_params, tmp_path):
    params = tmp_path / "lenet.params"
    shutil.copy(lenet_params, params)
    card = ModelCard.read(card_path(lenet_params))
    card.sha256 = "0" * 64
    card.write(card_path(params))
    with pytest.raises(ModelIntegrityError, match="sha256 is [0-9a-f]{64} but .* records 0{64}"):
        DigitClassifier(params)


def test_shipped_model_without_its_card_is_refused(lenet_params, tmp_path, monkeypatch):
    params = tmp_path / "lenet.params"
    shutil.copy(lenet_params, params)
    monkeypatch.setattr(model_module, "SHIPPED_PARAMS", params)
    with pytest.raises(ModelIntegrityError, match="model card .* is missing"):
        DigitClassifier()


def test_parameter_file_without_card_loads_unverified(lenet_params, tmp_path):
    params = tmp_path / "mine.params"
    shutil.copy(lenet_params, params)
    info = DigitClassifier(params).info()
    assert info["verified"] is False and info["name"] == "mine" and info["test_accuracy"] is None


def test_missing_parameter_file_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist; train one with `mxtorch train lenet"):
        DigitClassifier(tmp_path / "nope.params")


def test_invalid_card_is_reported(lenet_params, tmp_path):
    params = tmp_path / "lenet.params"
    shutil.copy(lenet_params, params)
    card_path(params).write_text(json.dumps(["not", "a", "card"]))
    with pytest.raises(ValueError, match="is not a valid model card"):
        DigitClassifier(params)


def test_shipped_model_loads_verified_and_is_accurate():
    classifier = DigitClassifier()
    assert classifier.card is not None and classifier.card.sha256 == classifier.sha256
    assert classifier.card.test_accuracy >= 0.99
    assert classifier.info()["verified"] is True
