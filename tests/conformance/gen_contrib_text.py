"""MXNet 1.9.1's ``contrib.text``: its pretrained-file table and goldens for Vocabulary and
embeddings.

    .ref/bin/python tests/conformance/gen_contrib_text.py

writes ``src/mxtorch/contrib/text/pretrained_files.json`` (for GloVe and FastText, the names and
SHA-1 sums of the pretrained files and of the archives they come in: facts mxtorch needs at run
time) and ``golden/contrib_text/goldens.json``: Vocabulary indices for several settings and
embedding lookups on the small file written by :func:`embedding_file` (tests/contrib/test_text.py
writes the same file).
"""
import json
import pathlib
import tempfile
import warnings

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "golden" / "contrib_text"
TABLE = HERE.parents[1] / "src" / "mxtorch" / "contrib" / "text" / "pretrained_files.json"

TEXT = " Life is great ! \n life is good . \n Great life , good life is life \n"

# A GloVe-style text file: a duplicate token, a 1-value "header" line, the unknown token's own vector.
EMBEDDING_LINES = [
    "life 0.1 0.2 0.3",
    "is 1.5 -2 0.25",
    "great 3 4 5",
    "header 7",
    "life 9 9 9",
    "<unk> -1 -1 -1",
    "good 0.5 0.5 0.5",
]
OTHER_LINES = ["life 1 2", "good 3 4", "! 5 6"]

VOCAB_CASES = [
    dict(),
    dict(most_freq_count=3),
    dict(min_freq=2),
    dict(reserved_tokens=["<pad>", "<bos>"]),
    dict(unknown_token="<UNK>", reserved_tokens=["<pad>"], most_freq_count=2, min_freq=1),
]
QUERY = ["life", "is", "great", "Life", "nothing", "!", "<pad>", "<unk>", "good"]


def embedding_file(folder: pathlib.Path, name: str, lines: list) -> str:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return str(path)


def main() -> None:
    from mxnet.contrib import text
    from mxnet.contrib.text import embedding

    table = {name: {"pretrained_file_name_sha1": cls.pretrained_file_name_sha1,
                    "pretrained_archive_name_sha1": cls.pretrained_archive_name_sha1}
             for name, cls in (("glove", embedding.GloVe), ("fasttext", embedding.FastText))}
    TABLE.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n")

    counter = text.utils.count_tokens_from_str(TEXT, to_lower=False)
    golden = {"counter": dict(counter),
              "counter_lower": dict(text.utils.count_tokens_from_str(TEXT, to_lower=True)),
              "counter_regex": dict(text.utils.count_tokens_from_str(
                  "*a*b*\n*b*c*", token_delim=r"\*", seq_delim="\n")),
              "vocab": []}
    for case in VOCAB_CASES:
        voc = text.vocab.Vocabulary(counter, **case)
        golden["vocab"].append({"kwargs": case, "idx_to_token": voc.idx_to_token,
                                "to_indices": voc.to_indices(QUERY),
                                "single": voc.to_indices("is"),
                                "to_tokens": voc.to_tokens([0, 1, len(voc) - 1])})

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tmp = pathlib.Path(tmp)
        first = embedding_file(tmp, "first.txt", EMBEDDING_LINES)
        other = embedding_file(tmp, "other.txt", OTHER_LINES)
        emb = embedding.CustomEmbedding(first)
        voc = text.vocab.Vocabulary(counter, reserved_tokens=["<pad>"])
        emb_voc = embedding.CustomEmbedding(first, vocabulary=voc)
        emb2 = embedding.CustomEmbedding(other, unknown_token="<UNK>")
        comp = embedding.CompositeEmbedding(voc, [emb, emb2])
        emb.update_token_vectors(["is", "good"], __import__("mxnet").nd.array([[1, 1, 1], [2, 2, 2]]))
        golden["embedding"] = {
            "idx_to_token": emb.idx_to_token, "vec_len": emb.vec_len,
            "idx_to_vec": emb.idx_to_vec.asnumpy().tolist(),
            "lookup": emb.get_vecs_by_tokens(["Life", "great", "nothing"]).asnumpy().tolist(),
            "lookup_lower": emb.get_vecs_by_tokens(["Life", "GOOD"], lower_case_backup=True)
                               .asnumpy().tolist(),
            "single": emb.get_vecs_by_tokens("great").asnumpy().tolist(),
            "vocab_idx_to_token": emb_voc.idx_to_token,
            "vocab_idx_to_vec": emb_voc.idx_to_vec.asnumpy().tolist(),
            "composite_idx_to_vec": comp.idx_to_vec.asnumpy().tolist(),
            "composite_vec_len": comp.vec_len,
            "other_idx_to_vec": emb2.idx_to_vec.asnumpy().tolist(),
        }
    golden["pretrained_names"] = {k: sorted(v) for k, v in
                                  embedding.get_pretrained_file_names().items()}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "goldens.json").write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print("wrote", TABLE, "and", OUT / "goldens.json")


if __name__ == "__main__":
    main()
