"""Evaluation metrics against MXNet 1.9.1's results on the same inputs, and their API."""
import numpy as np
import pytest

import mxtorch as mx
from tests.conformance.conftest import GOLDEN
from tests.optimizer import cases


@pytest.fixture(scope="module")
def golden() -> dict:
    return dict(np.load(GOLDEN / "optimizer" / "metric.npz"))


@pytest.fixture(scope="module")
def results() -> dict:
    return cases.run_metrics(mx)


@pytest.mark.parametrize("case_id", [c[0] for c in cases.METRIC_CASES] + ["custom"])
def test_metric_matches_mxnet(case_id: str, golden: dict, results: dict) -> None:
    assert list(results[case_id + "_names"]) == list(golden[case_id + "_names"])
    np.testing.assert_allclose(results[case_id], golden[case_id], rtol=1e-6, atol=1e-7)


def test_docstring_examples() -> None:
    predicts = [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])]
    labels = [mx.nd.array([0, 1, 1])]
    acc = mx.metric.Accuracy()
    acc.update(preds=predicts, labels=labels)
    assert acc.get() == ("accuracy", pytest.approx(2 / 3))
    composite = mx.metric.CompositeEvalMetric()
    for child in [mx.metric.Accuracy(), mx.metric.F1()]:
        composite.add(child)
    composite.update(labels=labels, preds=predicts)
    assert composite.get() == (["accuracy", "f1"], [pytest.approx(2 / 3), pytest.approx(0.8)])
    perp = mx.metric.Perplexity(ignore_label=None)
    perp.update(labels, predicts)
    assert perp.get()[1] == pytest.approx(1.7710976285155853)


@pytest.mark.parametrize("name,cls", [
    ("acc", "Accuracy"), ("accuracy", "Accuracy"), ("top_k_acc", "TopKAccuracy"),
    ("top_k_accuracy", "TopKAccuracy"), ("ce", "CrossEntropy"), ("nll_loss", "NegativeLogLikelihood"),
    ("pearsonr", "PearsonCorrelation"), ("composite", "CompositeEvalMetric"), ("F1", "F1"),
    ("MSE", "MSE"), ("loss", "Loss"), ("pcc", "PCC"), ("customMetric", "CustomMetric"),
])
def test_create_by_name_and_alias(name: str, cls: str) -> None:
    args = {"top_k_acc": (3,), "top_k_accuracy": (3,), "customMetric": (np.mean,)}.get(name, ())
    assert type(mx.metric.create(name, *args)) is getattr(mx.metric, cls)


def test_create_from_instance_list_and_callable() -> None:
    acc = mx.metric.Accuracy()
    assert mx.metric.create(acc) is acc
    composite = mx.metric.create([acc, "rmse", lambda label, pred: 1.0])
    assert [type(m).__name__ for m in composite.metrics] == ["Accuracy", "RMSE", "CustomMetric"]
    assert composite.metrics[2].name == "custom(<lambda>)"
    with pytest.raises(ValueError, match="nosuchmetric is not registered"):
        mx.metric.create("nosuchmetric")


def test_get_config_recreates_the_metric() -> None:
    config = mx.metric.Accuracy(axis=0, name="a0").get_config()
    assert config == {"axis": 0, "metric": "Accuracy", "name": "a0", "output_names": None,
                      "label_names": None}
    again = mx.metric.create(**config)
    assert (type(again), again.axis, again.name) == (mx.metric.Accuracy, 0, "a0")


def test_empty_metric_is_nan_and_reset_clears() -> None:
    mse = mx.metric.MSE()
    assert np.isnan(mse.get()[1])
    mse.update([mx.nd.array([1.0, 2.0])], [mx.nd.array([1.0, 4.0])])
    assert mse.get_name_value() == [("mse", pytest.approx(2.0))]
    assert str(mse) == "EvalMetric: {'mse': 2.0}"
    mse.reset()
    assert np.isnan(mse.get()[1]) and np.isnan(mse.get_global()[1])


def test_update_dict_selects_named_outputs() -> None:
    acc = mx.metric.Accuracy(output_names=["softmax_output"], label_names=["softmax_label"])
    acc.update_dict({"softmax_label": mx.nd.array([1, 0]), "other": mx.nd.array([0, 0])},
                    {"softmax_output": mx.nd.array([[0, 1], [1, 0]]), "x": mx.nd.array([[1, 0]])})
    assert acc.get()[1] == 1.0


def test_mismatched_label_and_prediction_counts() -> None:
    with pytest.raises(ValueError, match="Shape of labels 2 does not match shape of predictions 1"):
        mx.metric.Accuracy().update([mx.nd.array([1]), mx.nd.array([1])], [mx.nd.array([[0, 1]])])


def test_binary_metrics_reject_multiclass_labels() -> None:
    with pytest.raises(ValueError, match="only supports binary classification"):
        mx.metric.F1().update([mx.nd.array([0, 1, 2])], [mx.nd.array(np.ones((3, 2)))])


def test_top_k_needs_k_above_one() -> None:
    with pytest.raises(ValueError, match="Please use Accuracy"):
        mx.metric.TopKAccuracy(top_k=1)


def test_custom_metric_tuple_result_and_np_wrapper() -> None:
    metric = mx.metric.np(lambda label, pred: (float(np.sum(label == pred)), label.size),
                          name="hits")
    metric.update([mx.nd.array([1, 2, 3])], [mx.nd.array([1, 0, 3])])
    assert metric.get() == ("hits", pytest.approx(2 / 3))
    with pytest.raises(NotImplementedError):
        metric.get_config()


def test_loss_metric_accepts_a_single_array() -> None:
    loss = mx.metric.Loss()
    loss.update(None, mx.nd.array([1.0, 2.0, 3.0]))
    assert loss.get() == ("loss", pytest.approx(2.0))
