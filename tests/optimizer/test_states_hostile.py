"""Optimizer-state files are data: hostile pickles are refused with MXNetError and run no code.

The files are built opcode by opcode (protocol 4, as Python 3 writes them, and protocol 0 for
the text forms), so each test says exactly which construct it smuggles in.
"""
import os
import pathlib
import pickle
import struct
import time
from typing import Optional

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import optimizer as opt
from mxtorch.base import MXNetError

# -- a tiny pickle assembler ------------------------------------------------------------------
PROTO4 = b"\x80\x04"
STOP = b"."
MARK, EMPTY_DICT, EMPTY_TUPLE, EMPTY_LIST, NONE = b"(", b"}", b")", b"]", b"N"
SETITEM, SETITEMS, APPEND, TUPLE1, TUPLE2 = b"s", b"u", b"a", b"\x85", b"\x86"
REDUCE, NEWOBJ, BUILD, STACK_GLOBAL = b"R", b"\x81", b"b", b"\x93"


def s(text: str) -> bytes:
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw if len(raw) < 256 else \
        b"X" + struct.pack("<I", len(raw)) + raw


def i(value: int) -> bytes:
    return b"J" + struct.pack("<i", value)


def f(value: float) -> bytes:
    return b"G" + struct.pack(">d", value)


def raw_bytes(data: bytes) -> bytes:
    return b"B" + struct.pack("<I", len(data)) + data


def glob(module: str, name: str) -> bytes:
    return s(module) + s(name) + STACK_GLOBAL


def call(module: str, name: str, *args: bytes) -> bytes:
    """``module.name(*args)`` through REDUCE."""
    return glob(module, name) + MARK + b"".join(args) + b"t" + REDUCE


def record(values: np.ndarray) -> bytes:
    """One array record of MXNet's ``.params`` format (V2, dense, cpu(0), float32)."""
    values = np.asarray(values, np.float32)
    header = struct.pack(f"<IiI{values.ndim}qiii", 0xF993FAC9, 0, values.ndim, *values.shape,
                         1, 0, 0)
    return header + values.tobytes()


def ndarray(values: np.ndarray) -> bytes:
    """An NDArray exactly as MXNet 1.9.1 pickles one."""
    return (glob("mxnet.ndarray.ndarray", "NDArray") + NONE + TUPLE1 + REDUCE + EMPTY_DICT
            + s("handle") + call("builtins", "bytearray", b"C" + bytes([len(record(values))])
                                 + record(values)) + SETITEM + BUILD)


def dict_of(*pairs: bytes) -> bytes:
    return EMPTY_DICT + MARK + b"".join(pairs) + SETITEMS


def optimizer_object(cls: str, attrs: bytes, module: str = "mxnet.optimizer.optimizer") -> bytes:
    return glob(module, cls) + EMPTY_TUPLE + NEWOBJ + attrs + BUILD


def states(body: bytes) -> bytes:
    return PROTO4 + body + STOP


def valid_sgd_attrs(*extra: bytes) -> bytes:
    return dict_of(s("rescale_grad") + f(1.0), s("lr") + f(0.1), s("wd") + f(0.0),
                   s("momentum") + f(0.9), s("num_update") + i(0), *extra)


def set_states(blob: bytes) -> opt.Updater:
    updater = opt.get_updater(opt.SGD())
    updater.set_states(blob)
    return updater


def refused(blob: bytes, match: Optional[str] = None) -> MXNetError:
    start = time.perf_counter()
    with pytest.raises(MXNetError, match=match) as info:
        set_states(blob)
    assert time.perf_counter() - start < 2.0
    return info.value


@pytest.fixture
def marker(tmp_path: pathlib.Path) -> pathlib.Path:
    """A file that only a payload that ran would create."""
    return tmp_path / "pwned"


# -- the valid forms these hostile ones are variations of -------------------------------------
def test_hand_built_mxnet_states_load() -> None:
    """The assembler's output is a real states file: the hostile variants below differ from a
    file that loads only in what they smuggle in."""
    mom = np.arange(3, dtype=np.float32)
    updater = set_states(states(dict_of(i(0) + ndarray(mom))
                                + optimizer_object("SGD", valid_sgd_attrs()) + TUPLE2))
    assert isinstance(updater.optimizer, opt.SGD) and updater.optimizer.momentum == 0.9
    assert updater.optimizer.param_dict == {}
    np.testing.assert_array_equal(updater.states[0].asnumpy(), mom)


# -- globals outside the allow-list -----------------------------------------------------------
def test_os_system_through_global_opcode_is_refused(marker: pathlib.Path) -> None:
    blob = b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."
    err = refused(blob, "os.system")
    assert "allow" in str(err)
    assert not marker.exists()


def test_os_system_through_stack_global_and_reduce_is_refused(marker: pathlib.Path) -> None:
    blob = states(dict_of(i(0) + call("posix", "system", s(f"touch {marker}"))))
    refused(blob, "posix.system")
    assert not marker.exists()


def test_pickle_dumps_of_a_reduce_payload_is_refused(marker: pathlib.Path) -> None:
    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)

    refused(pickle.dumps({0: Payload()}), "system")
    assert not marker.exists()


def test_builtins_open_and_eval_are_refused(marker: pathlib.Path) -> None:
    refused(states(call("builtins", "open", s(str(marker)), s("w"))), "builtins.open")
    refused(states(call("builtins", "eval", s(f"open({str(marker)!r}, 'w')"))), "builtins.eval")
    assert not marker.exists()


def test_getattr_chain_is_refused(marker: pathlib.Path) -> None:
    # getattr(__import__('os'), 'system')('touch ...')
    system = call("builtins", "getattr", call("builtins", "__import__", s("os")), s("system"))
    refused(states(system + MARK + s(f"touch {marker}") + b"t" + REDUCE), "builtins.getattr")
    assert not marker.exists()


def test_python2_spellings_of_dangerous_globals_are_refused(marker: pathlib.Path) -> None:
    blob = b"c__builtin__\neval\n(S'open(" + repr(str(marker)).encode() + b", \"w\")'\ntR."
    refused(blob, "eval")
    assert not marker.exists()


def test_mxtorch_and_torch_internals_are_not_on_the_list(marker: pathlib.Path) -> None:
    refused(states(call("mxtorch.ndarray.utils", "save", s(str(marker)), EMPTY_LIST)),
            "mxtorch.ndarray.utils.save")
    refused(states(call("torch", "load", s(str(marker)))), "torch.load")
    refused(states(call("numpy", "load", s(str(marker)))), "numpy.load")
    assert not marker.exists()


class EvilSGD(opt.SGD):
    """A subclass of an allowed class whose restoring has side effects."""

    marker = ""

    def __setstate__(self, state: dict) -> None:
        pathlib.Path(state["marker"]).write_text("ran")


def test_subclass_of_an_allowed_optimizer_is_refused(marker: pathlib.Path) -> None:
    blob = states(EMPTY_DICT + optimizer_object(
        "EvilSGD", dict_of(s("marker") + s(str(marker))), module=__name__) + TUPLE2)
    refused(blob, f"{__name__}.EvilSGD")
    assert not marker.exists()


def test_registered_user_optimizer_is_not_reachable_through_mxnet_names(marker) -> None:
    opt.register(EvilSGD)
    try:
        blob = states(EMPTY_DICT + optimizer_object(
            "EvilSGD", dict_of(s("marker") + s(str(marker)))) + TUPLE2)
        refused(blob, "mxnet.optimizer.optimizer.EvilSGD")
    finally:
        opt.Optimizer.opt_registry.pop("evilsgd", None)
    assert not marker.exists()


def test_base_classes_and_helpers_of_allowed_modules_are_refused() -> None:
    refused(states(call("mxnet.optimizer.optimizer", "create", s("sgd"))), "create")
    refused(states(call("mxnet.optimizer.optimizer", "Updater", NONE)), "Updater")
    refused(states(call("builtins", "object")), "builtins.object")


# -- the callables that are allowed, used for something else -----------------------------------
def test_optimizer_class_called_through_reduce_is_refused() -> None:
    blob = states(EMPTY_DICT + call("mxnet.optimizer.optimizer", "SGD",
                                    dict_of(s("learning_rate") + f(0.5))) + TUPLE2)
    refused(blob, "SGD")


def test_bytearray_of_a_size_is_refused() -> None:
    # bytearray(2**50) would try to allocate a petabyte
    refused(states(dict_of(i(0) + call("builtins", "bytearray", b"\x8a\x08"
                                       + struct.pack("<q", 2**50)))), "bytearray")


def test_ndarray_called_with_arguments_or_odd_state_is_refused() -> None:
    nd = glob("mxnet.ndarray.ndarray", "NDArray")
    refused(states(dict_of(i(0) + nd + s("x") + TUPLE1 + REDUCE)), "NDArray")
    for state in (dict_of(s("handle") + s("not bytes")),
                  dict_of(s("handle") + NONE, s("extra") + i(1)),
                  s("handle")):
        refused(states(dict_of(i(0) + nd + NONE + TUPLE1 + REDUCE + state + BUILD)), "NDArray")


def test_ndarray_record_claiming_more_data_than_present_is_refused() -> None:
    header = struct.pack("<IiI1qiii", 0xF993FAC9, 0, 1, 2**40, 1, 0, 0)
    blob = states(dict_of(i(0) + glob("mxnet.ndarray.ndarray", "NDArray") + NONE + TUPLE1
                          + REDUCE + dict_of(s("handle") + call("builtins", "bytearray",
                                                                raw_bytes(header + b"\0" * 8)))
                          + BUILD))
    refused(blob, "truncated")


def test_ndarray_record_with_trailing_bytes_is_refused() -> None:
    blob = states(dict_of(i(0) + glob("mxnet.ndarray.ndarray", "NDArray") + NONE + TUPLE1
                          + REDUCE + dict_of(s("handle") + call(
                              "builtins", "bytearray", raw_bytes(record(np.ones(2)) + b"junk")))
                          + BUILD))
    refused(blob, "trailing")


# -- restored structure -----------------------------------------------------------------------
def test_optimizer_attribute_holding_a_payload_is_refused(marker: pathlib.Path) -> None:
    attrs = valid_sgd_attrs(s("lr_scheduler") + call("posix", "system", s(f"touch {marker}")))
    refused(states(EMPTY_DICT + optimizer_object("SGD", attrs) + TUPLE2), "posix.system")
    assert not marker.exists()


@pytest.mark.parametrize("extra, match", [
    (s("update") + i(1), "update"),                       # would shadow a method
    (s("__class__") + NONE, "__class__"),
    (s("create_state") + s("x"), "create_state"),
    (s("learning_rate") + f(1.0), "learning_rate"),       # a property of the class
    (i(3) + f(1.0), "attribute name"),                    # not a name at all
    (s("lr_scheduler") + glob("mxnet.ndarray.ndarray", "NDArray") + NONE + TUPLE1 + REDUCE,
     "lr_scheduler"),
    (s("momentum") + optimizer_object("SGD", valid_sgd_attrs()), "momentum"),
    (s("wd") + b"\x8f", "EMPTY_SET"),                          # EMPTY_SET: no optimizer holds one
])
def test_optimizer_attributes_must_be_plain_data(extra: bytes, match: str) -> None:
    refused(states(EMPTY_DICT + optimizer_object("SGD", valid_sgd_attrs(extra)) + TUPLE2), match)


def test_optimizer_state_that_is_not_a_dict_is_refused() -> None:
    refused(states(EMPTY_DICT + optimizer_object("SGD", EMPTY_LIST) + TUPLE2),
            "SGD")
    refused(states(EMPTY_DICT + optimizer_object("SGD", valid_sgd_attrs() + NONE + TUPLE2)
                   + TUPLE2), "SGD")


def test_scheduler_holding_an_optimizer_is_refused() -> None:
    sched = optimizer_object("FactorScheduler", dict_of(s("base_lr") + optimizer_object(
        "SGD", valid_sgd_attrs())), module="mxnet.lr_scheduler")
    refused(states(EMPTY_DICT + optimizer_object("SGD", valid_sgd_attrs(
        s("lr_scheduler") + sched)) + TUPLE2), "base_lr")


def test_object_restored_twice_is_refused() -> None:
    refused(states(EMPTY_DICT + optimizer_object("SGD", valid_sgd_attrs()) + valid_sgd_attrs()
                   + BUILD + TUPLE2), "SGD")


@pytest.mark.parametrize("body, match", [
    (dict_of(f(0.5) + NONE), "key"),                          # float key
    (dict_of(EMPTY_TUPLE + NONE), "key"),                     # tuple key
    (dict_of(i(0) + s("momentum")), "state"),                 # str value
    (dict_of(i(0) + i(7)), "state"),                          # int value
    (dict_of(i(0) + EMPTY_DICT), "state"),                    # dict value
    (EMPTY_LIST, "dict"),                                     # not a dict at all
    (i(5), "dict"),
    (EMPTY_DICT + EMPTY_DICT + TUPLE2, "optimizer"),          # (states, not-an-optimizer)
    (EMPTY_DICT + optimizer_object("FactorScheduler", EMPTY_DICT, module="mxnet.lr_scheduler")
     + TUPLE2, "optimizer"),
])
def test_states_dict_shape_is_checked(body: bytes, match: str) -> None:
    refused(states(body), match)


def test_deeply_nested_structure_is_refused_quickly() -> None:
    depth = 100_000
    refused(states(dict_of(i(0) + EMPTY_LIST * depth + APPEND * (depth - 1))), "deep")


def test_huge_memo_index_is_refused() -> None:
    # LONG_BINPUT 2**32-2 would make the unpickler grow its memo to 2**33 entries
    refused(states(EMPTY_DICT + b"r" + struct.pack("<I", 2**32 - 2)), "memo")


def test_megabyte_of_small_objects_is_refused_within_time() -> None:
    refused(states(EMPTY_LIST + MARK + EMPTY_DICT * 500_000 + b"e"), "dict")


@pytest.mark.parametrize("blob", [
    b"", b"\x80", b"\x80\x04", b"\x80\x04.", b"garbage", b"\x80\x09}.", b"\xff" * 64,
    b"\x80\x04}\x94(K\x00", b"P0\n.", b"\x80\x04\x82\x01.",  # persistent id, extension code
])
def test_garbage_and_truncated_files_are_refused(blob: bytes) -> None:
    refused(blob)


def test_every_truncation_of_a_real_file_is_refused() -> None:
    updater = opt.get_updater(opt.create("adam", learning_rate=0.1))
    updater(0, mx.nd.ones((3,)), mx.nd.ones((3,)))
    blob = updater.get_states(dump_optimizer=True)
    set_states(blob)
    for cut in range(len(blob) - 1):
        with pytest.raises(MXNetError):
            set_states(blob[:cut])


# -- the public entry points ------------------------------------------------------------------
def test_trainer_load_states_refuses_payload(tmp_path: pathlib.Path, marker) -> None:
    fname = tmp_path / "bad.states"
    fname.write_bytes(states(dict_of(i(0) + call("posix", "system", s(f"touch {marker}")))))
    net = mx.gluon.nn.Dense(2, in_units=3)
    net.initialize()
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    with pytest.raises(MXNetError, match="posix.system"):
        trainer.load_states(str(fname))
    assert not marker.exists()


def test_module_load_optimizer_states_refuses_payload(tmp_path: pathlib.Path, marker) -> None:
    fname = tmp_path / "bad.states"
    fname.write_bytes(states(dict_of(i(0) + call("builtins", "open", s(str(marker)), s("w")))))
    data = mx.sym.Variable("data")
    mod = mx.mod.Module(mx.sym.FullyConnected(data, num_hidden=2, name="fc"), label_names=None)
    mod.bind(data_shapes=[("data", (1, 3))])
    mod.init_params()
    mod.init_optimizer(kvstore=None)
    with pytest.raises(MXNetError, match="builtins.open"):
        mod.load_optimizer_states(str(fname))
    assert not marker.exists()


# -- the program's own classes, and the kinds of attribute values -------------------------------
class UserSGD(opt.SGD):
    """A user's optimizer, registered as MXNet programs register theirs."""

    setstate_calls = 0

    def __setstate__(self, state: dict) -> None:
        type(self).setstate_calls += 1
        super().__setstate__(state)


class UserSchedule(mx.lr_scheduler.LRScheduler):
    def __init__(self, base_lr: float = 0.1, decay: float = 0.5):
        super().__init__(base_lr=base_lr)
        self.decay = decay

    def __call__(self, num_update: int) -> float:
        return self.base_lr * self.decay ** num_update


def test_registered_optimizer_and_user_scheduler_round_trip_through_trainer(tmp_path) -> None:
    opt.register(UserSGD)
    try:
        net = mx.gluon.nn.Dense(2, in_units=3)
        net.initialize()
        trainer = mx.gluon.Trainer(net.collect_params(), "usersgd",
                                   {"learning_rate": 0.1, "momentum": 0.9,
                                    "lr_scheduler": UserSchedule(0.1, 0.25)})
        with mx.autograd.record():
            loss = net(mx.nd.ones((4, 3))).sum()
        loss.backward()
        trainer.step(4)
        trainer.save_states(str(tmp_path / "user.states"))
        trainer.load_states(str(tmp_path / "user.states"))
        restored = trainer._optimizer
        assert type(restored) is UserSGD and type(restored.lr_scheduler) is UserSchedule
        assert restored.lr_scheduler.decay == 0.25 and restored.momentum == 0.9
        assert UserSGD.setstate_calls == 0   # the file's data never reaches the user's __setstate__
    finally:
        opt.Optimizer.opt_registry.pop("usersgd", None)


def test_attribute_of_the_wrong_kind_is_refused() -> None:
    refused(states(EMPTY_DICT + optimizer_object("SGD", valid_sgd_attrs(s("lr") + s("x"))) + TUPLE2),
            "'lr' of the mxnet.optimizer.optimizer.SGD object holds a str")
