"""mx.contrib.text against MXNet 1.9.1 (goldens from tests/conformance/gen_contrib_text.py)."""
import collections
import json
import warnings

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.base import MXNetError
from mxtorch.contrib import text
from mxtorch.contrib.text import embedding
from tests.conformance.gen_contrib_text import (EMBEDDING_LINES, OTHER_LINES, QUERY, TEXT,
                                                embedding_file)
from tests.conftest import GOLDEN

G = json.loads((GOLDEN / "contrib_text" / "goldens.json").read_text())


def test_count_tokens_matches_mxnet():
    assert dict(text.utils.count_tokens_from_str(TEXT)) == G["counter"]
    assert dict(text.utils.count_tokens_from_str(TEXT, to_lower=True)) == G["counter_lower"]
    assert dict(text.utils.count_tokens_from_str("*a*b*\n*b*c*", r"\*", "\n")) == G["counter_regex"]
    counter = collections.Counter({"a": 5})
    assert text.utils.count_tokens_from_str("a b", counter_to_update=counter) is counter
    assert counter["a"] == 6 and counter["b"] == 1


@pytest.mark.parametrize("case", G["vocab"], ids=lambda c: json.dumps(c["kwargs"]))
def test_vocabulary_matches_mxnet(case):
    voc = text.vocab.Vocabulary(text.utils.count_tokens_from_str(TEXT), **case["kwargs"])
    assert voc.idx_to_token == case["idx_to_token"]
    assert voc.token_to_idx == {t: i for i, t in enumerate(case["idx_to_token"])}
    assert len(voc) == len(case["idx_to_token"])
    assert voc.to_indices(QUERY) == case["to_indices"]
    assert voc.to_indices("is") == case["single"]
    assert voc.to_tokens([0, 1, len(voc) - 1]) == case["to_tokens"]
    assert voc.unknown_token == case["kwargs"].get("unknown_token", "<unk>")


def test_vocabulary_refuses_bad_arguments():
    with pytest.raises(MXNetError, match="min_freq"):
        text.vocab.Vocabulary(min_freq=0)
    with pytest.raises(AssertionError, match="unknown_token"):
        text.vocab.Vocabulary(reserved_tokens=["<unk>"])
    with pytest.raises(MXNetError, match="duplicate"):
        text.vocab.Vocabulary(reserved_tokens=["a", "a"])
    with pytest.raises(MXNetError, match="Counter"):
        text.vocab.Vocabulary({"a": 1})
    with pytest.raises(ValueError, match="index 3"):
        text.vocab.Vocabulary(reserved_tokens=["a", "b"]).to_tokens([0, 3])


@pytest.fixture
def files(tmp_path):
    return (embedding_file(tmp_path, "first.txt", EMBEDDING_LINES),
            embedding_file(tmp_path, "other.txt", OTHER_LINES))


def test_embedding_lookups_match_mxnet(files):
    first, other = files
    golden = G["embedding"]
    with pytest.warns(UserWarning) as record:
        emb = embedding.CustomEmbedding(first)
    messages = " ".join(str(w.message) for w in record)
    assert "header" in messages and "duplicate" in messages
    counter = text.utils.count_tokens_from_str(TEXT)
    voc = text.vocab.Vocabulary(counter, reserved_tokens=["<pad>"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        emb_voc = embedding.CustomEmbedding(first, vocabulary=voc)
    emb2 = embedding.CustomEmbedding(other, unknown_token="<UNK>")
    comp = embedding.CompositeEmbedding(voc, [emb, emb2])
    emb.update_token_vectors(["is", "good"], mx.nd.array([[1, 1, 1], [2, 2, 2]]))

    assert emb.idx_to_token == golden["idx_to_token"] and emb.vec_len == golden["vec_len"]
    np.testing.assert_array_equal(emb.idx_to_vec.asnumpy(), golden["idx_to_vec"])
    np.testing.assert_array_equal(emb.get_vecs_by_tokens(["Life", "great", "nothing"]).asnumpy(),
                                  golden["lookup"])
    np.testing.assert_array_equal(
        emb.get_vecs_by_tokens(["Life", "GOOD"], lower_case_backup=True).asnumpy(),
        golden["lookup_lower"])
    np.testing.assert_array_equal(emb.get_vecs_by_tokens("great").asnumpy(), golden["single"])
    assert emb_voc.idx_to_token == golden["vocab_idx_to_token"]
    np.testing.assert_array_equal(emb_voc.idx_to_vec.asnumpy(), golden["vocab_idx_to_vec"])
    np.testing.assert_array_equal(comp.idx_to_vec.asnumpy(), golden["composite_idx_to_vec"])
    assert comp.vec_len == golden["composite_vec_len"]
    np.testing.assert_array_equal(emb2.idx_to_vec.asnumpy(), golden["other_idx_to_vec"])


def test_unknown_vector_from_init_and_update_refusals(files):
    emb = embedding.CustomEmbedding(files[1], init_unknown_vec=mx.nd.ones)
    np.testing.assert_array_equal(emb.idx_to_vec[0].asnumpy(), [1, 1])
    with pytest.raises(ValueError, match="nothing is unknown"):
        emb.update_token_vectors("nothing", mx.nd.zeros((2,)))
    with pytest.raises(MXNetError, match="shape"):
        emb.update_token_vectors(["life", "good"], mx.nd.zeros((2, 3)))
    emb.update_token_vectors("life", mx.nd.array([7, 8]))
    np.testing.assert_array_equal(emb.get_vecs_by_tokens("life").asnumpy(), [7, 8])


@pytest.mark.parametrize("lines, message", [
    (["a 1 2", "b 1 x"], "line 2 .* not a number"),
    (["a 1 2", "b 1 2 3"], "line 2 .*the dimension of token b is 3"),
    (["a 1 2", "lonely"], "line 2 .* no vector"),
    (["a 1 2", "b " + "1 " * 300_000], "line 2 .*more than the 65536"),
    (["a 1 2", "b 1" + "0" * (1 << 20)], "line 2 .*the line is longer"),
    (["header 5"], "no token embedding vectors"),
])
def test_malformed_files_are_refused(tmp_path, lines, message):
    path = embedding_file(tmp_path, "bad.txt", lines)
    with warnings.catch_warnings(), pytest.raises(MXNetError, match=message):
        warnings.simplefilter("ignore")
        embedding.CustomEmbedding(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ValueError, match="valid path"):
        embedding.CustomEmbedding(str(tmp_path / "absent.txt"))


def test_pretrained_names_registry_and_create(tmp_path, monkeypatch):
    assert {k: sorted(v) for k, v in embedding.get_pretrained_file_names().items()} \
        == G["pretrained_names"]
    with pytest.raises(KeyError, match="Cannot find `embedding_name` nope"):
        embedding.get_pretrained_file_names("nope")
    with pytest.raises(KeyError, match="Cannot find pretrained file x.txt for token embedding glove"):
        embedding.create("glove", pretrained_file_name="x.txt")
    assert embedding.GloVe._get_download_file_name("glove.6B.50d.txt") == "glove.6B.zip"
    assert embedding.FastText._get_download_file_name("wiki.simple.vec") == "wiki.simple.zip"

    @embedding.register
    class Tiny(embedding.TokenEmbedding):
        pretrained_file_name_sha1: dict = {"tiny.txt": "0"}

        def __init__(self, path):
            super().__init__()
            self._load_embedding(path, " ", mx.nd.zeros)

    made = embedding.create("tiny", path=embedding_file(tmp_path, "t.txt", OTHER_LINES))
    assert isinstance(made, Tiny) and made.idx_to_token == ["<unk>", "life", "good", "!"]
    assert embedding.get_pretrained_file_names("tiny") == ["tiny.txt"]


def test_pretrained_download_goes_through_gluon_download(tmp_path, monkeypatch):
    """The named files are fetched by gluon.utils.download with MXNet's URL and SHA-1 sums, and
    only the wanted file is taken out of the archive."""
    import zipfile

    import mxtorch.gluon.utils as gutils

    content = b"hello 1 2\nworld 3 4\n"
    calls = []

    def fake_download(url, path, sha1_hash=None, **kwargs):
        calls.append((url, path, sha1_hash))
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("glove.6B.50d.txt", content)
            zf.writestr("../evil.txt", b"x")
        return path

    monkeypatch.setattr(gutils, "download", fake_download)
    monkeypatch.setattr(gutils, "check_sha1", lambda path, sha1: open(path, "rb").read() == content)
    monkeypatch.delenv("MXNET_GLUON_REPO", raising=False)
    emb = embedding.GloVe("glove.6B.50d.txt", embedding_root=str(tmp_path))
    assert emb.idx_to_token == ["<unk>", "hello", "world"]
    url, path, sha1 = calls[0]
    assert url == ("https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/gluon/embeddings/"
                   "glove/glove.6B.zip")
    assert sha1 == embedding.GloVe.pretrained_archive_name_sha1["glove.6B.zip"]
    assert sorted(p.name for p in (tmp_path / "glove").iterdir()) == ["glove.6B.50d.txt",
                                                                     "glove.6B.zip"]
    assert not (tmp_path / "evil.txt").exists()
    embedding.GloVe("glove.6B.50d.txt", embedding_root=str(tmp_path))  # present: no download
    assert len(calls) == 1
