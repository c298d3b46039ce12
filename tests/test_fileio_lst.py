"""mxtorch._fileio.lst: the one reader of MXNet's ``.lst`` image lists, and the three places that
use it (ImageIter, ImageListDataset, im2rec)."""
import pytest

import mxtorch as mx
from mxtorch._fileio import lst
from mxtorch._fileio.lst import MAX_LST_LINE, read_lst
from mxtorch.base import MXNetError
from mxtorch.tools.im2rec import read_list


def test_entries_and_blank_lines(tmp_path):
    path = tmp_path / "a.lst"
    path.write_text("0\t1.000000\ta.png\n\n3\t2\t-0.5\tsub/b c.jpg\n   \n")
    assert list(read_lst(str(path))) == [(0, [1.0], "a.png"), (3, [2.0, -0.5], "sub/b c.jpg")]


@pytest.mark.parametrize("line, match", [
    ("0\ta.png", r"b\.lst:2: expected 'index<TAB>label\(s\)<TAB>path', got '0\\ta.png'"),
    ("x\t1\ta.png", r"b\.lst:2: the index must be an integer and the labels numbers"),
    ("0\tone\ta.png", r"b\.lst:2: the index must be an integer and the labels numbers"),
])
def test_a_malformed_line_names_file_and_line(tmp_path, line, match):
    path = tmp_path / "b.lst"
    path.write_text(f"0\t1\tok.png\n{line}\n")
    with pytest.raises(MXNetError, match=match):
        list(read_lst(str(path)))


def test_a_long_line_is_refused_without_being_held(tmp_path, monkeypatch):
    monkeypatch.setattr(lst, "MAX_LST_LINE", 16)
    path = tmp_path / "c.lst"
    path.write_text("0\t1\t" + "x" * 100 + ".png\n1\t2\tok.png\n2\t3\t" + "y" * 8 + ".png\n")
    with pytest.raises(MXNetError, match=r"c\.lst:1: the line is longer than 16 characters"):
        list(lst.read_lst(str(path)))
    seen = []
    entries = list(lst.read_lst(str(path), on_error=lambda line, err: seen.append((line, str(err)))))
    # the rest of the long line is skipped; a line of exactly the limit (newline aside) is read
    assert entries == [(1, [2.0], "ok.png"), (2, [3.0], "y" * 8 + ".png")]
    assert len(seen) == 1 and "c.lst:1:" in seen[0][1]
    assert MAX_LST_LINE == 1 << 20


def test_on_error_reports_and_goes_on(tmp_path):
    path = tmp_path / "d.lst"
    path.write_text("bad line\n0\t1\ta.png\n1\tx\tb.png\n")
    seen = []
    assert list(read_lst(str(path), on_error=lambda line, err: seen.append(line))) == [
        (0, [1.0], "a.png")]
    assert seen == ["bad line", "1\tx\tb.png"]


def test_the_three_readers_agree_and_refuse_alike(tmp_path, capsys):
    (tmp_path / "l.lst").write_text("4\t1\t2\ta.png\n7\t3\t4\tb.png\n")
    imglist, keys = mx.image.image._read_image_list(str(tmp_path / "l.lst"), "float32")
    assert keys == [4, 7] and imglist[7][1] == "b.png"
    assert imglist[7][0].asnumpy().tolist() == [3.0, 4.0]
    items = mx.gluon.data.vision.ImageListDataset(str(tmp_path), "l.lst").items
    assert [(label.asnumpy().tolist(), p) for label, p in items] == [([1.0, 2.0], "a.png"),
                                                                     ([3.0, 4.0], "b.png")]
    assert list(read_list(str(tmp_path / "l.lst"))) == [[4, "a.png", 1.0, 2.0],
                                                        [7, "b.png", 3.0, 4.0]]
    (tmp_path / "bad.lst").write_text("4\t1\ta.png\nz\t1\tb.png\n")
    with pytest.raises(MXNetError, match=r"bad\.lst:2:"):
        mx.image.ImageIter(1, (3, 4, 4), path_imglist=str(tmp_path / "bad.lst"))
    with pytest.raises(MXNetError, match=r"bad\.lst:2:"):
        mx.gluon.data.vision.ImageListDataset(str(tmp_path), "bad.lst")
    assert list(read_list(str(tmp_path / "bad.lst"))) == [[4, "a.png", 1.0]]
    assert "skipping list line 'z\\t1\\tb.png'" in capsys.readouterr().out
