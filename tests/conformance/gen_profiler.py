"""The shape of what MXNet 1.9.1's profiler writes, not its timings.

    .ref/bin/python tests/conformance/gen_profiler.py

Profiles a tiny program (two imperative operators, a bound two-layer graph, one of each user
object) with ``profile_all`` and ``aggregate_stats`` and writes golden/profiler/structure.json:
the trace's top-level keys, for each event phase the keys its events carry, the (category, name,
phase) triples of the operator and user events (MXNet's own C API and memory events left out),
the categories and header lines of ``dumps()``'s table, the keys of its JSON form, and the scope
letter each ``Marker.mark`` scope writes. tests/test_profiler.py checks mxtorch against it.
"""
import json
import os
import pathlib
import tempfile

import mxnet as mx

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "profiler" / "structure.json"
SKIP = ("MXNET_C_API", "Device Storage")


def main() -> None:
    trace_file = os.path.join(tempfile.mkdtemp(), "profile.json")
    mx.profiler.set_config(profile_all=True, aggregate_stats=True, filename=trace_file)
    mx.profiler.set_state("run")
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
    scopes = ["global", "process", "thread", "task", "marker"]
    for s in scopes:
        domain.new_marker(f"marker_{s}").mark(s)
    data = mx.sym.Variable("data")
    net = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=2, name="fc1"),
                            act_type="relu", name="relu1")
    exe = net.simple_bind(mx.cpu(), data=(1, 3))
    exe.forward()
    mx.nd.waitall()
    mx.profiler.set_state("stop")
    table = mx.profiler.dumps()
    stats = json.loads(mx.profiler.dumps(format="json"))
    mx.profiler.dump()
    with open(trace_file) as f:
        trace = json.load(f)
    events = [e for e in trace["traceEvents"] if e.get("cat") not in SKIP and e["ph"] != "M"]
    keys = {}
    for e in events:
        keys.setdefault(e["ph"], sorted(e))
    triples = sorted({(e["cat"], e["name"], e["ph"]) for e in events})
    lines = table.splitlines()
    golden = {
        "trace_keys": sorted(trace),
        "display_time_unit": trace["displayTimeUnit"],
        "metadata_keys": sorted(next(e for e in trace["traceEvents"] if e["ph"] == "M")),
        "phase_keys": keys,
        "events": [list(t) for t in triples],
        "counter_values": [e["args"]["mycounter"] for e in events if e["name"] == "mycounter"],
        "marker_scopes": {s: next(e["s"] for e in events if e["name"] == f"marker_{s}")
                          for s in scopes},
        "table_head": lines[:3],
        "table_categories": [lines[i - 1] for i, ln in enumerate(lines) if ln.startswith("=====")
                             and lines[i - 1] not in SKIP],
        "table_header": lines[lines.index("operator") + 2],
        "table_rule": lines[lines.index("operator") + 3],
        "json_keys": sorted(stats),
        "json_units": stats["Unit"],
        "json_stat_keys": sorted(stats["Time"]["operator"]["FullyConnected"]),
        "json_operator_names": sorted(stats["Time"]["operator"]),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(golden, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
