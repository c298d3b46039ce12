"""mx.profiler: the Chrome trace it writes (against the structure MXNet 1.9.1 writes,
golden/profiler/structure.json), dumps, run/stop/pause/resume, the user objects."""
import json
import pathlib

import pytest

import mxtorch as mx
from mxtorch import profiler

GOLDEN = json.loads((pathlib.Path(__file__).parent / "conformance" / "golden" / "profiler"
                     / "structure.json").read_text())


@pytest.fixture(autouse=True)
def fresh_profiler(monkeypatch, tmp_path):
    """Each test gets its own profiler state and trace file, and leaves the hot paths off."""
    monkeypatch.setattr(profiler, "_profiler", profiler._Profiler())
    yield tmp_path / "profile.json"
    profiler.set_state("stop")
    assert not profiler._state.imperative and not profiler._state.symbolic


def _program() -> None:
    """The golden's program: imperative operators, a bound graph, one of each user object."""
    x = mx.nd.ones((2, 3))
    mx.nd.relu(x)
    mx.nd.FullyConnected(x, mx.nd.ones((4, 3)), num_hidden=4, no_bias=True)
    domain = mx.profiler.Domain("mydomain")
    task = domain.new_task("mytask")
    task.start()
    task.stop()
    frame = domain.new_frame("myframe")
    frame.start()
    frame.stop()
    event = mx.profiler.Event("myevent")
    event.start()
    event.stop()
    counter = domain.new_counter("mycounter", 5)
    counter.increment(3)
    counter.decrement(1)
    counter += 10
    for s in GOLDEN["marker_scopes"]:
        domain.new_marker(f"marker_{s}").mark(s)
    data = mx.sym.Variable("data")
    net = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=2, name="fc1"),
                            act_type="relu", name="relu1")
    net.simple_bind(mx.cpu(), data=(1, 3)).forward()


def _profile(path, **config) -> dict:
    mx.profiler.set_config(filename=str(path), **config)
    mx.profiler.set_state("run")
    _program()
    mx.profiler.set_state("stop")
    mx.profiler.dump()
    return json.loads(path.read_text())


def test_trace_has_mxnet_structure(fresh_profiler):
    trace = _profile(fresh_profiler, profile_all=True)
    assert sorted(trace) == GOLDEN["trace_keys"]
    assert trace["displayTimeUnit"] == GOLDEN["display_time_unit"]
    events = trace["traceEvents"]
    meta = [e for e in events if e["ph"] == "M"]
    assert meta and all(sorted(e) == GOLDEN["metadata_keys"] for e in meta)
    named = {e["pid"]: e["args"]["name"] for e in meta}
    body = [e for e in events if e["ph"] != "M"]
    for e in body:
        assert sorted(e) == GOLDEN["phase_keys"][e["ph"]], e
        assert isinstance(e["ts"], int) and e["pid"] in named
    # the user objects' events are exactly MXNet's (category, name, phase)
    ours = {(e["cat"], e["name"], e["ph"]) for e in body if e["cat"] != "operator"}
    theirs = {tuple(t) for t in GOLDEN["events"] if t[0] != "operator"}
    assert ours == theirs
    # every operator event is a B/E pair named after an MXNet operator MXNet also recorded
    ops = [e for e in body if e["cat"] == "operator"]
    names = [e["name"] for e in ops if e["ph"] == "B"]
    assert names == ["relu", "FullyConnected", "FullyConnected", "Activation"]
    assert set(names) <= set(GOLDEN["json_operator_names"])
    assert [e["ph"] for e in ops] == ["B", "E"] * 4
    assert all(b["ts"] <= e["ts"] for b, e in zip(ops[::2], ops[1::2]))
    counter = [e["args"]["mycounter"] for e in body if e["name"] == "mycounter"]
    assert counter == GOLDEN["counter_values"]
    scopes = {e["name"][len("marker_"):]: e["s"] for e in body if e["ph"] == "n"}
    assert scopes == GOLDEN["marker_scopes"]


def test_operator_kinds_follow_config(fresh_profiler):
    trace = _profile(fresh_profiler, profile_imperative=False)
    names = [e["name"] for e in trace["traceEvents"] if e.get("cat") == "operator"
             and e["ph"] == "B"]
    assert names == ["FullyConnected", "Activation"]   # the graph's, not nd.relu's
    trace = _profile(fresh_profiler, profile_symbolic=False)
    names = [e["name"] for e in trace["traceEvents"] if e.get("cat") == "operator"
             and e["ph"] == "B"]
    assert names == ["relu", "FullyConnected"]


def test_nothing_recorded_when_not_running(fresh_profiler):
    mx.profiler.set_config(profile_all=True, aggregate_stats=True, filename=str(fresh_profiler))
    _program()   # never set to run
    assert not profiler._state.imperative
    mx.profiler.dump()
    trace = json.loads(fresh_profiler.read_text())
    assert [e for e in trace["traceEvents"] if e["ph"] != "M"] == []
    assert "mytask" not in mx.profiler.dumps()


def test_pause_resume(fresh_profiler):
    mx.profiler.set_config(profile_all=True, filename=str(fresh_profiler))
    x = mx.nd.ones((2, 2))
    mx.profiler.start()
    mx.nd.relu(x)
    mx.profiler.pause()
    mx.nd.sigmoid(x)
    mx.profiler.Event("while_paused").start()
    mx.profiler.resume()
    mx.nd.tanh(x)
    mx.profiler.stop()
    mx.nd.exp(x)
    mx.profiler.dump()
    names = [e["name"] for e in json.loads(fresh_profiler.read_text())["traceEvents"]
             if e["ph"] == "B"]
    assert names == ["relu", "tanh"]


def test_dump_finished_clears_and_unfinished_keeps(fresh_profiler):
    mx.profiler.set_config(profile_all=True, filename=str(fresh_profiler))
    mx.profiler.set_state("run")
    mx.nd.relu(mx.nd.ones((1,)))
    mx.profiler.dump(finished=False)   # while running: the file is complete JSON already
    first = [e["name"] for e in json.loads(fresh_profiler.read_text())["traceEvents"]
             if e["ph"] == "B"]
    mx.nd.tanh(mx.nd.ones((1,)))
    mx.profiler.dump()
    second = [e["name"] for e in json.loads(fresh_profiler.read_text())["traceEvents"]
              if e["ph"] == "B"]
    mx.profiler.dump()
    third = [e["name"] for e in json.loads(fresh_profiler.read_text())["traceEvents"]
             if e["ph"] == "B"]
    assert (first, second, third) == (["relu"], ["relu", "tanh"], [])


def test_dumps_table_and_json(fresh_profiler):
    assert mx.profiler.dumps() == ""   # no aggregate_stats: nothing kept
    _profile(fresh_profiler, profile_all=True, aggregate_stats=True)
    table = mx.profiler.dumps()
    lines = table.splitlines()
    assert lines[:3] == GOLDEN["table_head"]
    cats = [lines[i - 1] for i, ln in enumerate(lines) if ln.startswith("=====")]
    assert cats == GOLDEN["table_categories"]
    assert GOLDEN["table_header"] in lines and GOLDEN["table_rule"] in lines
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines if ln.startswith(("Fully", "mycounter"))}
    assert rows["FullyConnected"][0] == "2"
    assert rows["mycounter"][:2] == ["4", "0.0170"]   # 4 values, the last one 17 (in "ms")
    stats = json.loads(mx.profiler.dumps(format="json"))
    assert sorted(stats) == GOLDEN["json_keys"] and stats["Unit"] == GOLDEN["json_units"]
    fc = stats["Time"]["operator"]["FullyConnected"]
    assert sorted(fc) == GOLDEN["json_stat_keys"] and fc["Count"] == 2
    assert fc["Min"] <= fc["Avg"] <= fc["Max"] and fc["Total"] == pytest.approx(2 * fc["Avg"],
                                                                               abs=2e-4)
    by_count = mx.profiler.dumps(sort_by="count", ascending=True).splitlines()
    op_rows = by_count[by_count.index("operator") + 4:]
    counts = [int(r.split()[1]) for r in op_rows if r]
    assert counts == sorted(counts)
    mx.profiler.dumps(reset=True)
    assert mx.profiler.dumps().splitlines() == GOLDEN["table_head"]


def test_bad_arguments_raise():
    with pytest.raises(mx.MXNetError, match="bogus"):
        mx.profiler.set_config(bogus=1)
    with pytest.raises(mx.MXNetError, match="run"):
        mx.profiler.set_state("go")
    with pytest.raises(mx.MXNetError, match="sort_by"):
        mx.profiler.dumps(sort_by="median")
    with pytest.raises(mx.MXNetError, match="format"):
        mx.profiler.dumps(format="csv")
    with pytest.raises(mx.MXNetError, match="server"):
        mx.profiler.set_state("run", profile_process="server")
    with pytest.raises(mx.MXNetError, match="scope"):
        mx.profiler.Marker(mx.profiler.Domain("d"), "m").mark("galaxy")


def test_scope_and_string_config(fresh_profiler):
    mx.profiler.set_config(profile_all="True", aggregate_stats="1", filename=str(fresh_profiler))
    mx.profiler.set_state("run")
    with mx.profiler.scope("outer:") as outer:
        with mx.profiler.scope("inner", append_mode=True) as inner:
            mx.nd.relu(mx.nd.ones((1,)))
    mx.profiler.set_state("stop")
    assert (outer, inner) == ("outer:", "outer:inner")
    mx.profiler.dump()
    spans = [(e["cat"], e["name"]) for e in json.loads(fresh_profiler.read_text())["traceEvents"]
             if e["ph"] == "B"]
    assert spans == [("scope", "outer:"), ("scope", "outer:inner"), ("operator", "relu")]
