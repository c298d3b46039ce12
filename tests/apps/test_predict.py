"""``mxtorch predict`` end to end on images the test makes, with a parameter file the test makes."""
import json

import numpy as np
import pytest
from PIL import Image

import mxtorch as mx
from mxtorch import nd
from mxtorch.apps import predict
from mxtorch.cli import main
from mxtorch.gluon.model_zoo import vision
from tests.apps.sample_images import SIZES, pattern, png_declaring
from tests.conformance.conftest import GOLDEN

MODEL = "mobilenet0.25"  # the smallest zoo network with ImageNet's 1000 classes


@pytest.fixture(scope="module")
def params_file(tmp_path_factory):
    mx.random.seed(7)
    net = vision.get_model(MODEL)
    net.initialize(mx.init.Xavier())
    net(nd.zeros((1, 3, 224, 224)))
    path = tmp_path_factory.mktemp("model") / f"{MODEL}.params"
    net.save_parameters(str(path))
    return path


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    rng = np.random.RandomState(0)
    rgb = Image.fromarray(rng.randint(0, 256, (300, 400, 3), dtype=np.uint8))
    rgb.save(folder / "photo.jpg", quality=90)
    rgba = Image.fromarray(rng.randint(0, 256, (240, 260, 4), dtype=np.uint8), "RGBA")
    rgba.save(folder / "logo.png")
    Image.fromarray(rng.randint(0, 256, (256, 256), dtype=np.uint8), "L").save(folder / "gray.webp")
    (folder / "notes.txt").write_text("not an image")
    return folder


def test_text_output(params_file, images, capsys):
    files = [str(images / n) for n in ("photo.jpg", "notes.txt", "logo.png", "gray.webp")]
    status = main(["predict", *files, "--model", MODEL, "--params", str(params_file), "--topk", "3"])
    out = capsys.readouterr().out.splitlines()
    assert status == 1  # one file could not be read; the others were still classified
    classes = predict.imagenet_classes()
    assert out[0] == files[0]
    ranked = out[1:4]
    assert [line.split(".")[0].strip() for line in ranked] == ["1", "2", "3"]
    probs = [float(line.split()[-3]) for line in ranked]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1.0001
    for line in ranked:
        class_id = int(line.rsplit("(class ", 1)[1].rstrip(")"))
        assert classes[class_id] in line
    assert out[4] == files[1] and out[5].startswith("  error: not a readable image")
    assert out[6] == files[2] and out[10] == files[3]
    assert len(out) == 14


def test_json_output_matches_python_api(params_file, images, capsys):
    files = [str(images / "photo.jpg"), str(images / "gray.webp")]
    assert main(["predict", *files, "--model", MODEL, "--params", str(params_file), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    direct = predict.classify(files, model=MODEL, params=str(params_file), topk=5)
    assert [p["image"] for p in printed] == files
    for entry, pred in zip(printed, direct):
        assert [c["class_id"] for c in entry["predictions"]] == [c for c, _, _ in pred.classes]
        assert [c["rank"] for c in entry["predictions"]] == [1, 2, 3, 4, 5]
        np.testing.assert_allclose([c["probability"] for c in entry["predictions"]],
                                   [p for _, _, p in pred.classes], rtol=1e-6)


def test_preprocessing_is_the_imagenet_evaluation_transform(tmp_path):
    yy, xx = np.mgrid[0:300, 0:400]
    smooth = np.stack([xx * 255 // 400, yy * 255 // 300, (xx + yy) * 255 // 700], -1).astype(np.uint8)
    Image.fromarray(smooth).save(tmp_path / "smooth.png")
    img = predict.load_image(tmp_path / "smooth.png")
    x = predict.preprocess(img).asnumpy()
    assert x.shape == (3, 224, 224) and x.dtype == np.float32
    # resize 300x400 -> 256x341, centre crop 224: pixel (0, 0) of the crop, normalised
    resized = np.asarray(img.resize((341, 256), Image.BILINEAR), dtype=np.float32) / 255
    top, left = (256 - 224) // 2, (341 - 224) // 2
    expected = (resized[top, left] - predict.IMAGENET_MEAN) / predict.IMAGENET_STD
    np.testing.assert_allclose(x[:, 0, 0], expected, atol=0.03)


def test_batches_give_the_same_answer_as_single_images(params_file, images):
    files = [str(images / "photo.jpg"), str(images / "logo.png"), str(images / "gray.webp")]
    together = predict.classify(files, model=MODEL, params=str(params_file), batch_size=3)
    alone = predict.classify(files, model=MODEL, params=str(params_file), batch_size=1)
    for a, b in zip(together, alone):
        assert [c for c, _, _ in a.classes] == [c for c, _, _ in b.classes]


def test_exif_orientation_is_honoured(tmp_path):
    wide = Image.new("RGB", (40, 20), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    wide.save(tmp_path / "rotated.jpg", exif=exif)
    assert predict.load_image(tmp_path / "rotated.jpg").size == (20, 40)


def test_bad_topk_is_reported(params_file, images, capsys):
    assert main(["predict", str(images / "photo.jpg"), "--params", str(params_file),
                 "--model", MODEL, "--topk", "0"]) == 1
    assert "--topk must be at least 1" in capsys.readouterr().err


def test_evaluation_transform_matches_mxnet():
    # MXNet 1.9.1's Resize(256, keep_ratio=True), CenterCrop(224), ToTensor, Normalize (gen_predict.py):
    # bilinear like OpenCV's to within one grey level (1/255/0.224 after Normalize); bicubic is ~1 off.
    goldens = np.load(GOLDEN / "predict" / "evaluation_transform.npz")
    for height, width in SIZES:
        x = predict.preprocess(Image.fromarray(pattern(height, width))).asnumpy()
        assert x.shape == (3, 224, 224) and x.dtype == np.float32
        np.testing.assert_allclose(x[:, ::8, ::8], goldens[f"{height}x{width}"], rtol=0, atol=0.018)


def test_16_bit_grayscale_keeps_its_grey_levels(tmp_path):
    levels = np.array([[0, 64, 128, 255]], dtype=np.uint16)
    Image.fromarray(levels * 257).save(tmp_path / "gray16.png")  # a 16-bit PNG (mode I;16)
    rgb = np.asarray(predict.load_image(tmp_path / "gray16.png"))
    np.testing.assert_array_equal(rgb, np.repeat(levels[:, :, None], 3, axis=2))


def test_transparency_becomes_white(tmp_path):
    palette = Image.new("P", (4, 1), 0)
    palette.putpalette([0, 0, 0, 200, 0, 0])
    palette.putpixel((1, 0), 1)
    palette.save(tmp_path / "palette.png", transparency=0)  # colour 0 transparent (tRNS), no alpha mode
    np.testing.assert_array_equal(np.asarray(predict.load_image(tmp_path / "palette.png"))[0],
                                  [[255, 255, 255], [200, 0, 0], [255, 255, 255], [255, 255, 255]])


def test_a_decompression_bomb_is_reported_and_the_rest_classified(params_file, images, tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_declaring(100_000, 100_000))
    results = predict.classify([str(bomb), str(images / "photo.jpg")], model=MODEL,
                               params=str(params_file))
    assert results[0].image == str(bomb) and "not a readable image" in results[0].error
    assert results[1].error is None and len(results[1].classes) == 5


def test_missing_files_are_reported_before_any_model_is_loaded(tmp_path, capsys, monkeypatch):
    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded for inputs that are all unreadable")

    monkeypatch.setattr(predict, "load_model", no_model)
    missing = str(tmp_path / "missing.png")
    assert main(["predict", missing]) == 1  # pretrained resnet50_v1 would be downloaded
    out = capsys.readouterr().out
    assert out.startswith(missing) and "error: not a readable image" in out
    assert "No such file" in out


def test_json_mode_prints_errors_as_json(params_file, capsys):
    assert main(["predict", "x.png", "--topk", "0", "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"error": "--topk must be at least 1, got 0"}
    assert captured.err == ""


def test_download_line_names_the_model_file_not_its_temporary(tmp_path, capsys, monkeypatch):
    from mxtorch.gluon import utils
    from mxtorch.gluon.model_zoo import model_store

    def refuse(url, dest, *args):
        raise OSError("offline")

    monkeypatch.setattr(utils, "_fetch", refuse)
    with pytest.raises(mx.MXNetError):
        model_store.get_model_file("resnet18_v1", root=str(tmp_path))
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Downloading")]
    assert lines and all(line.startswith(f"Downloading resnet18_v1-{model_store.short_hash('resnet18_v1')}"
                                         ".params (model 'resnet18_v1') from ") for line in lines)
