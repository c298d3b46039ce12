"""The README and the documentation pages as a user meets them: their Python blocks run as pasted,
and the README's description of the digit app's HTTP API is what the server does.

Each ```python block (of README.md and docs/) runs on its own, in a fresh interpreter and an
empty working directory, as a user pasting it would; MNIST is where a user's copy would be: its
four ``.gz`` files in the working directory (``mx.test_utils.get_mnist()``'s place, as MXNet's)
and in ``$MXNET_HOME/datasets/mnist`` (``gluon.data.vision.MNIST``'s), here links to the shared
copy, so nothing is downloaded. A block of ``>>>`` lines is a console transcript, checked line by
line (doctest, long outputs wrapped as the page wraps them). A block that cannot run here is
fenced ```python {.no-run} (a class on the page's code block, an info string GitHub ignores)
and must be listed in ``NO_RUN``, with the reason. The tutorials' blocks
that include an example file (``--8<--``) are the examples, which tests/examples runs.
"""
from __future__ import annotations

import ast
import base64
import doctest
import io
import json
import os
import pathlib
import re
import subprocess
import sys
from typing import Callable

import pytest

from tests.conftest import MNIST_ROOT, ROOT

README = ROOT / "README.md"
DOCUMENTS = (README, *sorted((ROOT / "docs").rglob("*.md")))
_FENCE = re.compile(r"^```(\w*)[ \t]*([^\n]*)\n(.*?)^```[ \t]*$", re.S | re.M)
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

# Blocks fenced ```python {.no-run}, by their page and first line, with why they cannot run in the suite.
NO_RUN: dict[tuple[str, str], str] = {
    ("docs/howto/predict.md", "from mxtorch.apps.predict import classify"):
        "classifies the reader's own photo (cat.jpg) with ResNet-50 weights downloaded from MXNet's "
        "model store; tests/apps/test_predict.py runs classify on local weights and images",
}

# What a block's output must show, by a line of its code.
EXPECTED: dict[str, Callable[[str], bool]] = {
    # the Gluon LeNet after 100 batches of SGD reads most test digits (0.9 and more when measured)
    "print(metric.get())": lambda out: ast.literal_eval(out.strip().splitlines()[-1])[1] > 0.8,
    # the symbolic LeNet prints a validation accuracy
    "print(model.score(val_iter))": lambda out: 0.0 <= float(out.strip().splitlines()[-1]) <= 1.0,
    # Module's short run (Xavier, relu) reads more than half of the test digits
    'print(mod.score(val_iter, "acc"))':
        lambda out: ast.literal_eval(out.strip().splitlines()[-1])[0][1] > 0.5,
    # an exported and re-imported network computes what the original did
    "print(nd.abs(net2(x) - y).max())": lambda out: "[0.]" in out,
}


def _no_run(info: str) -> bool:
    return ".no-run" in re.findall(r"\.[\w-]+", info)


def fenced_blocks(language: str, document: pathlib.Path = README) -> list[tuple[str, int, str, str]]:
    """(page, line number, info after the language, code) of each block fenced ```language."""
    text = document.read_text("utf-8")
    page = str(document.relative_to(ROOT))
    return [(page, text.count("\n", 0, match.start()) + 1, match.group(2).strip(), match.group(3))
            for match in _FENCE.finditer(text) if match.group(1) == language]


PYTHON_BLOCKS = [block for document in DOCUMENTS for block in fenced_blocks("python", document)
                 if not block[3].lstrip().startswith("--8<--")]


def test_no_run_blocks_are_the_reviewed_ones() -> None:
    marked = {(page, code.strip().splitlines()[0]) for page, _, info, code in PYTHON_BLOCKS
              if _no_run(info)}
    assert marked == set(NO_RUN), "a ```python {.no-run} block must be listed, with its reason, in NO_RUN"


@pytest.fixture
def user_dir(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    """An empty working directory, with MNIST where MXNet's loaders look for it."""
    if not all((MNIST_ROOT / name).is_file() for name in MNIST_FILES):
        pytest.skip(f"MNIST not found in {MNIST_ROOT}")
    home = tmp_path / "mxnet-home"
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "mnist").symlink_to(MNIST_ROOT.resolve(), target_is_directory=True)
    work = tmp_path / "work"
    work.mkdir()
    for name in MNIST_FILES:
        (work / name).symlink_to((MNIST_ROOT / name).resolve())
    monkeypatch.setenv("MXNET_HOME", str(home))
    monkeypatch.chdir(work)
    return work


def _as_doctest(transcript: str) -> str:
    """A console transcript as doctest reads it: a blank line inside an example's output (NDArray's
    repr begins with one) becomes <BLANKLINE>; a blank line before the next prompt stays a separator."""
    lines = transcript.splitlines()
    out = []
    for k, line in enumerate(lines):
        following = next((later for later in lines[k + 1:] if later.strip()), None)
        if not line.strip() and following is not None and not following.startswith(">>>"):
            out.append("<BLANKLINE>")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


RUNNABLE = [block for block in PYTHON_BLOCKS if not _no_run(block[2])]


@pytest.mark.parametrize("page, lineno, info, code", RUNNABLE, ids=[f"{b[0]}:{b[1]}" for b in RUNNABLE])
def test_python_block_runs_as_pasted(page: str, lineno: int, info: str, code: str,
                                     user_dir: pathlib.Path) -> None:
    where = f"{page}:{lineno}"
    if code.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(_as_doctest(code), {}, where, str(ROOT / page), lineno)
        report = io.StringIO()
        runner = doctest.DocTestRunner(verbose=False, optionflags=doctest.NORMALIZE_WHITESPACE)
        result = runner.run(test, out=report.write)
        assert result.failed == 0, report.getvalue()
        return
    script = user_dir / "block.py"
    script.write_text(code, "utf-8")
    run = subprocess.run([sys.executable, str(script)], cwd=user_dir, env=dict(os.environ),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"{where} failed:\n{run.stderr[-4000:]}"
    for line, check in EXPECTED.items():
        if line in code:
            assert check(run.stdout), f"{where}: after {line} it printed:\n{run.stdout[-2000:]}"


# --- the /api/predict contract -----------------------------------------------------------------------

def readme_section(title: str) -> str:
    text = README.read_text("utf-8")
    start = text.index(f"\n### {title}\n")
    end = re.compile(r"^##+ ", re.M).search(text, start + 1 + len(title) + 5)
    return text[start:end.start() if end else len(text)]


@pytest.fixture(scope="module")
def contract() -> str:
    return readme_section("The digit app's HTTP API")


@pytest.fixture(scope="module")
def client():
    """The app on the shipped LeNet, served by uvicorn, as `make digits` serves it."""
    import httpx

    from mxtorch.apps.digits.model import DigitClassifier
    from mxtorch.apps.digits.server import create_app
    from tests.apps.live_server import running_server

    with running_server(create_app(DigitClassifier())) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http


def _digit_png() -> bytes:
    """A '7' drawn as the page draws it: dark strokes on a transparent canvas."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(70, 60), (200, 60), (120, 230)], fill=(0, 0, 0, 255), width=22)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _json_blocks(section: str) -> list:
    return [json.loads(code) for code in re.findall(r"^```json\n(.*?)^```", section, re.S | re.M)]


def _field_names(contract: str) -> tuple[str, str]:
    """The JSON field and the multipart field the README names, each stated twice (table, curl)."""
    json_field = re.search(r'`\{"(\w+)": "<data URL>"\}`', contract).group(1)
    multipart_field = re.search(r"a file field named `(\w+)`", contract).group(1)
    curl_form = re.search(r"curl -F (\w+)=@", contract).group(1)
    curl_json = json.loads(re.search(r"-d '(\{.*?\})'", contract).group(1))
    assert curl_form == multipart_field and list(curl_json) == [json_field]
    return json_field, multipart_field


def _assert_like(answer: dict, example: dict) -> None:
    """The server's answer has the README example's fields, with values of the same kinds."""
    assert set(answer) == set(example)
    for key, value in example.items():
        assert type(answer[key]) is type(value), key
        if isinstance(value, list):
            assert len(answer[key]) == len(value) and all(isinstance(v, float) for v in answer[key])
        if isinstance(value, str) and value.startswith("data:"):
            assert answer[key].startswith(value.split(",")[0] + ",")


def test_predict_takes_what_the_readme_says(contract: str, client) -> None:
    json_field, multipart_field = _field_names(contract)
    example = _json_blocks(contract)[0]
    png = _digit_png()
    data_url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")

    by_json = client.post("/api/predict", json={json_field: data_url})
    assert by_json.status_code == 200, by_json.text
    _assert_like(by_json.json(), example)
    assert abs(sum(by_json.json()["probabilities"]) - 1) < 1e-4

    by_form = client.post("/api/predict", files={multipart_field: ("digit.png", png, "image/png")})
    assert by_form.status_code == 200, by_form.text
    _assert_like(by_form.json(), example)
    assert by_form.json()["digit"] == by_json.json()["digit"] == 7


def test_predict_refuses_as_the_readme_says(contract: str, client) -> None:
    from mxtorch.apps.digits.server import Limits

    _, multipart_field = _field_names(contract)
    refusal = _json_blocks(contract)[1]
    # the example refusal is the server's own answer to a form without the field
    wrong = client.post("/api/predict", files={"file": ("digit.png", _digit_png(), "image/png")})
    assert wrong.status_code == 422 and wrong.json() == refusal
    assert f"'{multipart_field}'" in refusal["detail"]

    statuses = {
        400: client.post("/api/predict", content=b"{not json", headers={"Content-Type": "application/json"}),
        403: client.post("/api/predict", json={"image": "data:,"}, headers={"Sec-Fetch-Site": "cross-site"}),
        413: client.post("/api/predict", content=b"x" * (Limits().max_body_bytes + 1),
                         headers={"Content-Type": "application/json"}),
        415: client.post("/api/predict", content=b"hello", headers={"Content-Type": "text/plain"}),
        422: client.post("/api/predict", json={"picture": "data:image/png;base64,"}),
    }
    for status, answer in statuses.items():
        assert f"{status} " in contract, f"the README does not list status {status}"
        assert answer.status_code == status and list(answer.json()) == ["detail"], (status, answer.text)
    assert client.post("/api/predict", json={"image": "data:image/png;base64,"}).status_code == 422

    limits, flat = Limits(), " ".join(contract.split())
    assert f"over {limits.max_body_bytes // 2 ** 20} MiB" in flat
    assert f"image over {limits.max_image_bytes // 2 ** 20} MiB" in flat
    side = int(limits.max_pixels ** 0.5)
    assert side * side == limits.max_pixels and f"{side}x{side} pixels" in flat
    assert f"within {limits.body_timeout_s:g} s" in flat


def test_model_and_health_answers_are_the_readme_ones(contract: str, client) -> None:
    listed = re.search(r"`GET /api/model` answers (.*?) of the model", contract, re.S).group(1)
    assert set(re.findall(r"`(\w+)`", listed)) == set(client.get("/api/model").json())
    health = json.loads(re.search(r"`GET /healthz` answers `(\{.*?\})`", contract).group(1))
    assert client.get("/healthz").json() == health
