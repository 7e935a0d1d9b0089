"""``mx.metric``: MXNet 1.9.1's online evaluation metrics, plus sufficient statistics for jit.

Host API (as in MXNet): ``update(labels, preds)`` takes lists of arrays
(NDArray, numpy or jax arrays; a single array is wrapped in a list), and keeps
*local* sums (``sum_metric``/``num_inst``, cleared by ``reset_local``, e.g. by
``Speedometer``) and *global* sums (cleared only by ``reset``). ``get()`` is
``(name, sum_metric / num_inst)`` (nan when nothing was counted) and
``get_global()`` the same over the global sums. MXNet's formulas and quirks
are kept: Accuracy casts to int32 and takes argmax only when pred and label
shapes differ; MAE/MSE/RMSE and macro F1/MCC/Pearson add one value per
(label, pred) pair or per update call and count 1 for it; TopKAccuracy asserts
``top_k > 1``; Perplexity requires ``ignore_label``.

Precision: MXNet evaluates the float metrics in float32 (numpy or its own
kernels); mxjax evaluates the same formulas in float64, so values agree with
MXNet's to float32 rounding and the host and fused paths (below) agree with
each other to float64 rounding. Count metrics (Accuracy, F1/MCC counts) are
exact everywhere.

Fused statistics (mxjax extension, used by ``Module.fit``'s compiled step):

* ``metric.fused_supported`` -- True when the two methods below exist for this
  metric's configuration. False for CustomMetric, TopKAccuracy (numpy's
  ``argpartition`` tie-breaking cannot be reproduced), PCC (its confusion
  matrix grows with the labels seen) and micro-averaged PearsonCorrelation
  (an order-dependent streaming update); such metrics are updated on the
  host with ``update``.
* ``metric.fused_stats(labels, preds)`` -- a pure, jit-traceable function of
  jax arrays returning a tuple of jax scalars: the sufficient statistics of
  one ``update(labels, preds)`` call (e.g. ``(num_correct, num_inst)``). It
  must run inside mxjax's 64-bit scope (``mxjax.base.x64()``), as every mxjax
  computation does. ``fused_stats_dict(labels, preds)`` takes name->array
  dicts and selects like ``update_dict``.
* ``metric.fused_accumulate(stats)`` -- adds host copies of statistics to the
  local and global sums. Each leaf is either a scalar (one update call) or a
  1-D array stacking several calls in order (what ``lax.scan`` returns);
  accumulating N calls' stacked statistics gives the same ``get()`` and
  ``get_global()`` as N ``update`` calls. When ``metric.fused_summable`` is
  True the statistics of several calls may also be summed first (all but the
  macro-averaged F1/MCC), at the cost of float64 rounding differences.
"""

from __future__ import annotations

import json
import math
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy

from .base import MXNetError, numeric_types, string_types
from .ndarray.ndarray import NDArray

__all__ = [
    "EvalMetric", "CompositeEvalMetric", "Accuracy", "TopKAccuracy", "F1", "MCC", "Perplexity",
    "MAE", "MSE", "RMSE", "CrossEntropy", "NegativeLogLikelihood", "PearsonCorrelation", "PCC",
    "Loss", "Torch", "Caffe", "CustomMetric", "np", "create", "register", "alias",
    "check_label_shapes",
]


# --------------------------------------------------------------------------- helpers
def _is_array(x: Any) -> bool:
    return isinstance(x, (NDArray, numpy.ndarray, jax.Array))


def _host(x: Any) -> numpy.ndarray:
    """A numpy view/copy of an NDArray, jax or numpy array."""
    if isinstance(x, NDArray):
        return x.asnumpy()
    return numpy.asarray(x)


def check_label_shapes(labels: Any, preds: Any, wrap: bool = False,
                       shape: bool = False) -> tuple[Any, Any]:
    """MXNet's check: equal lengths (or shapes when ``shape``), else ValueError.

    With ``wrap`` a single array (NDArray, numpy or jax) is wrapped in a list.
    """
    if not shape:
        label_shape, pred_shape = len(labels), len(preds)
    else:
        label_shape, pred_shape = labels.shape, preds.shape
    if label_shape != pred_shape:
        raise ValueError(f"Shape of labels {label_shape} does not match shape of "
                         f"predictions {pred_shape}")
    if wrap:
        if _is_array(labels):
            labels = [labels]
        if _is_array(preds):
            preds = [preds]
    return labels, preds


def _wrap(labels: Any, preds: Any) -> tuple[list, list]:
    """Wrap single arrays, then check the two lists have the same length."""
    if _is_array(labels):
        labels = [labels]
    if _is_array(preds):
        preds = [preds]
    return check_label_shapes(labels, preds)


def _require_x64() -> None:
    if not jax.config.jax_enable_x64:
        raise MXNetError("fused_stats must be traced inside mxjax's 64-bit scope "
                         "(with mxjax.base.x64(): ...), like every mxjax computation")


def _f64(xp: Any, x: Any) -> Any:
    return xp.asarray(x).astype(xp.float64)


def _as_computed(xp: Any, x: Any) -> Any:
    """``x`` in the float type MXNet computes a batch's statistic in: the array's own (a
    float32 output gives a float32 per-batch value, which is then summed in float64, as
    MXNet's ``sum_metric += value`` does); integer arrays become float64."""
    x = xp.asarray(x)
    return x if xp.issubdtype(x.dtype, xp.floating) else x.astype(xp.float64)


def _calls(stats: tuple) -> Iterator[tuple]:
    """Split statistics into one tuple of python-friendly numpy scalars per update call."""
    leaves = [numpy.asarray(s) for s in stats]
    if all(leaf.ndim == 0 for leaf in leaves):
        yield tuple(leaves)
        return
    lengths = {leaf.shape[0] for leaf in leaves if leaf.ndim == 1}
    if len(lengths) != 1 or any(leaf.ndim > 1 for leaf in leaves):
        raise MXNetError(f"fused_accumulate: statistics must be scalars or equally long 1-D "
                         f"stacks, got shapes {[leaf.shape for leaf in leaves]}")
    (n,) = lengths
    for i in range(n):
        yield tuple(leaf if leaf.ndim == 0 else leaf[i] for leaf in leaves)


def _py(x: Any) -> int | float:
    x = numpy.asarray(x)
    return int(x) if x.dtype.kind in "biu" else float(x)


# --------------------------------------------------------------------------- registry
_REGISTRY: dict[str, type] = {}


def register(klass: type, name: str | None = None) -> type:
    """Register a metric class under ``name`` (default: its class name), case-insensitively."""
    if not (isinstance(klass, type) and issubclass(klass, EvalMetric)):
        raise AssertionError("Can only register subclass of EvalMetric")
    key = (klass.__name__ if name is None else name).lower()
    if key in _REGISTRY and _REGISTRY[key] is not klass:
        old = _REGISTRY[key]
        warnings.warn(f"New metric {klass.__module__}.{klass.__name__} registered with name "
                      f"{key} is overriding existing metric {old.__module__}.{old.__name__}",
                      UserWarning, stacklevel=2)
    _REGISTRY[key] = klass
    return klass


def alias(*aliases: str) -> Callable[[type], type]:
    """Class decorator registering extra names for a metric."""

    def reg(klass: type) -> type:
        for name in aliases:
            register(klass, name)
        return klass

    return reg


def _create(*args: Any, **kwargs: Any) -> EvalMetric:
    """MXNet's registry ``create``: instance, config dict, JSON string or registered name."""
    if args:
        name, args = args[0], args[1:]
    else:
        if "metric" not in kwargs:
            raise TypeError("create() needs a metric (name, instance, callable or list)")
        name = kwargs.pop("metric")
    if isinstance(name, EvalMetric):
        if args or kwargs:
            raise AssertionError("metric is already an instance. Additional arguments are "
                                 "invalid")
        return name
    if isinstance(name, dict):
        return _create(**name)
    if not isinstance(name, string_types):
        raise AssertionError("metric must be of string type")
    if name.startswith("["):
        name, kw = json.loads(name)
        return _create(name, **kw)
    if name.startswith("{"):
        return _create(**json.loads(name))
    key = name.lower()
    if key not in _REGISTRY:
        raise AssertionError(f"{key} is not registered. Please register with metric.register "
                             f"first (known: {', '.join(sorted(_REGISTRY))})")
    return _REGISTRY[key](*args, **kwargs)


def create(metric: Any, *args: Any, **kwargs: Any) -> EvalMetric:
    """A metric from a name (``'acc'``, ``'ce'``, ...), an instance, a callable
    (-> ``CustomMetric``) or a list (-> ``CompositeEvalMetric``)."""
    if callable(metric):
        return CustomMetric(metric, *args, **kwargs)
    if isinstance(metric, list):
        composite = CompositeEvalMetric()
        for child in metric:
            composite.add(create(child, *args, **kwargs))
        return composite
    return _create(metric, *args, **kwargs)


# --------------------------------------------------------------------------- base
class EvalMetric:
    """Base class of all metrics (``mx.metric.EvalMetric``); see the module doc."""

    def __init__(self, name: str, output_names: list[str] | None = None,
                 label_names: list[str] | None = None, **kwargs: Any):
        self.name = str(name)
        self.output_names = output_names
        self.label_names = label_names
        self._has_global_stats = kwargs.pop("has_global_stats", False)
        self._kwargs = kwargs
        self.reset()

    def __str__(self) -> str:
        return f"EvalMetric: {dict(self.get_name_value())}"

    def get_config(self) -> dict:
        """Arguments that recreate this metric with ``create(**config)``."""
        config = self._kwargs.copy()
        config.update({"metric": self.__class__.__name__, "name": self.name,
                       "output_names": self.output_names, "label_names": self.label_names})
        return config

    def _select(self, labels: Mapping, preds: Mapping) -> tuple[list, list]:
        if self.output_names is not None:
            preds = [preds[name] for name in self.output_names]
        else:
            preds = list(preds.values())
        if self.label_names is not None:
            labels = [labels[name] for name in self.label_names]
        else:
            labels = list(labels.values())
        return labels, preds

    def update_dict(self, label: Mapping, pred: Mapping) -> None:
        """Update from name->array dicts, picking ``label_names``/``output_names`` if set."""
        labels, preds = self._select(label, pred)
        self.update(labels, preds)

    def update(self, labels: Any, preds: Any) -> None:
        raise NotImplementedError()

    def reset(self) -> None:
        """Clear local and global sums."""
        self.num_inst = 0
        self.sum_metric = 0.0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0

    def reset_local(self) -> None:
        """Clear the local sums only."""
        self.num_inst = 0
        self.sum_metric = 0.0

    def get(self) -> tuple[Any, Any]:
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, self.sum_metric / self.num_inst)

    def get_global(self) -> tuple[Any, Any]:
        if self._has_global_stats:
            if self.global_num_inst == 0:
                return (self.name, float("nan"))
            return (self.name, self.global_sum_metric / self.global_num_inst)
        return self.get()

    def get_name_value(self) -> list[tuple[str, Any]]:
        name, value = self.get()
        if not isinstance(name, list):
            name = [name]
        if not isinstance(value, list):
            value = [value]
        return list(zip(name, value, strict=False))

    def get_global_name_value(self) -> list[tuple[str, Any]]:
        if self._has_global_stats:
            name, value = self.get_global()
            if not isinstance(name, list):
                name = [name]
            if not isinstance(value, list):
                value = [value]
            return list(zip(name, value, strict=False))
        return self.get_name_value()

    # ------------------------------------------------------------- fused path
    def _add(self, sum_metric: Any, num_inst: Any) -> None:
        self.sum_metric += sum_metric
        self.global_sum_metric += sum_metric
        self.num_inst += num_inst
        self.global_num_inst += num_inst

    @property
    def fused_supported(self) -> bool:
        """Whether ``fused_stats``/``fused_accumulate`` exist for this metric (module doc)."""
        return False

    @property
    def fused_summable(self) -> bool:
        """Whether statistics of several calls may be summed before ``fused_accumulate``."""
        return self.fused_supported

    def fused_stats(self, labels: list, preds: list) -> tuple:
        """Sufficient statistics of one ``update(labels, preds)`` call, as jax scalars."""
        raise NotImplementedError(f"{type(self).__name__} has no fused statistics; "
                                  "update it on the host")

    def fused_stats_dict(self, labels: Mapping, preds: Mapping) -> tuple:
        """``fused_stats`` from name->array dicts, selected as ``update_dict`` selects."""
        labels, preds = self._select(labels, preds)
        return self.fused_stats(labels, preds)

    def fused_accumulate(self, stats: tuple) -> None:
        """Add statistics from ``fused_stats`` (scalars or per-call stacks) to the sums."""
        if not self.fused_supported:
            raise NotImplementedError(f"{type(self).__name__} has no fused statistics")
        for call in _calls(stats):
            self._accumulate_call(call)

    def _accumulate_call(self, call: tuple) -> None:
        """Default: statistics are ``(sum_metric, num_inst)``."""
        self._add(_py(call[0]), _py(call[1]))


class _SumStatsMetric(EvalMetric):
    """A metric whose update adds ``Σ pair_stats`` to (sum_metric, num_inst)."""

    def _pair(self, xp: Any, label: Any, pred: Any) -> tuple[Any, Any]:
        raise NotImplementedError

    def _check(self, labels: Any, preds: Any) -> tuple[list, list]:
        return _wrap(labels, preds)

    def update(self, labels: Any, preds: Any) -> None:
        labels, preds = self._check(labels, preds)
        for label, pred in zip(labels, preds, strict=True):
            label = None if label is None else _host(label)
            s, n = self._pair(numpy, label, _host(pred))
            self._add(_py(s), _py(n))

    @property
    def fused_supported(self) -> bool:
        return True

    def fused_stats(self, labels: list, preds: list) -> tuple:
        _require_x64()
        labels, preds = self._check(labels, preds)
        total_s, total_n = jnp.zeros((), self._sum_dtype), jnp.zeros((), jnp.int64)
        for label, pred in zip(labels, preds, strict=True):
            label = None if label is None else jnp.asarray(label)
            s, n = self._pair(jnp, label, jnp.asarray(pred))
            total_s = total_s + s
            total_n = total_n + n
        return total_s, total_n

    _sum_dtype = jnp.float64


# --------------------------------------------------------------------------- composite
@alias("composite")
class CompositeEvalMetric(EvalMetric):
    """Several metrics updated together; ``get`` returns (names list, values list)."""

    def __init__(self, metrics: list | None = None, name: str = "composite",
                 output_names: list[str] | None = None, label_names: list[str] | None = None):
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        if metrics is None:
            metrics = []
        self.metrics = [create(i) for i in metrics]

    def add(self, metric: Any) -> None:
        """Append a child metric (anything ``create`` accepts)."""
        self.metrics.append(create(metric))

    def get_metric(self, index: int) -> EvalMetric:
        """Child ``index`` (MXNet returns, rather than raises, the ValueError; mxjax raises)."""
        try:
            return self.metrics[index]
        except IndexError as err:
            raise ValueError(f"Metric index {index} is out of range 0 and "
                             f"{len(self.metrics)}") from err

    def _filter(self, labels: Mapping, preds: Mapping) -> tuple[Mapping, Mapping]:
        if self.label_names is not None:
            labels = OrderedDict([i for i in labels.items() if i[0] in self.label_names])
        if self.output_names is not None:
            preds = OrderedDict([i for i in preds.items() if i[0] in self.output_names])
        return labels, preds

    def update_dict(self, labels: Mapping, preds: Mapping) -> None:
        labels, preds = self._filter(labels, preds)
        for metric in self.metrics:
            metric.update_dict(labels, preds)

    def update(self, labels: Any, preds: Any) -> None:
        for metric in self.metrics:
            metric.update(labels, preds)

    def reset(self) -> None:
        for metric in getattr(self, "metrics", []):
            metric.reset()

    def reset_local(self) -> None:
        for metric in getattr(self, "metrics", []):
            metric.reset_local()

    def _collect(self, getter: str) -> tuple[list, list]:
        names, values = [], []
        for metric in self.metrics:
            name, value = getattr(metric, getter)()
            if isinstance(name, string_types):
                name = [name]
            if isinstance(value, numeric_types):
                value = [value]
            names.extend(name)
            values.extend(value)
        return names, values

    def get(self) -> tuple[list, list]:
        return self._collect("get")

    def get_global(self) -> tuple[list, list]:
        return self._collect("get_global")

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"metrics": [i.get_config() for i in self.metrics]})
        return config

    @property
    def fused_supported(self) -> bool:
        return all(m.fused_supported for m in self.metrics)

    @property
    def fused_summable(self) -> bool:
        return all(m.fused_summable for m in self.metrics)

    def fused_stats(self, labels: list, preds: list) -> tuple:
        return tuple(m.fused_stats(labels, preds) for m in self.metrics)

    def fused_stats_dict(self, labels: Mapping, preds: Mapping) -> tuple:
        labels, preds = self._filter(labels, preds)
        return tuple(m.fused_stats_dict(labels, preds) for m in self.metrics)

    def fused_accumulate(self, stats: tuple) -> None:
        if len(stats) != len(self.metrics):
            raise MXNetError(f"fused_accumulate: {len(stats)} statistics for "
                             f"{len(self.metrics)} child metrics")
        for metric, s in zip(self.metrics, stats, strict=True):
            metric.fused_accumulate(s)


# --------------------------------------------------------------------------- classification
def _accuracy_pair(xp: Any, label: Any, pred: Any, axis: int) -> tuple[Any, Any]:
    if pred.shape != label.shape:
        pred = xp.argmax(pred, axis=axis)
    pred = pred.astype(xp.int32).reshape(-1)
    label = label.astype(xp.int32).reshape(-1)
    check_label_shapes(label, pred)
    return xp.sum(pred == label, dtype=xp.int64), label.shape[0]


@alias("acc")
class Accuracy(_SumStatsMetric):
    """Fraction of predictions equal to the label (argmax over ``axis`` when shapes differ)."""

    _sum_dtype = jnp.int64

    def __init__(self, axis: int = 1, name: str = "accuracy",
                 output_names: list[str] | None = None, label_names: list[str] | None = None):
        super().__init__(name, axis=axis, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.axis = axis

    def _check(self, labels: Any, preds: Any) -> tuple[list, list]:
        return check_label_shapes(labels, preds, True)

    def _pair(self, xp: Any, label: Any, pred: Any) -> tuple[Any, Any]:
        return _accuracy_pair(xp, label, pred, self.axis)


@alias("top_k_accuracy", "top_k_acc")
class TopKAccuracy(EvalMetric):
    """Hit when the label is among the ``top_k`` largest predictions (``top_k > 1``)."""

    def __init__(self, top_k: int = 1, name: str = "top_k_accuracy",
                 output_names: list[str] | None = None, label_names: list[str] | None = None):
        super().__init__(name, top_k=top_k, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.top_k = top_k
        if not self.top_k > 1:
            raise AssertionError("Please use Accuracy if top_k is no more than 1")
        self.name += f"_{self.top_k}"

    def update(self, labels: Any, preds: Any) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds, strict=True):
            pred = _host(pred)
            if len(pred.shape) > 2:
                raise AssertionError("Predictions should be no more than 2 dims")
            pred_label = numpy.argpartition(pred.astype("float32"), -self.top_k)
            label = _host(label).astype("int32")
            check_label_shapes(label, pred_label)
            num_samples = pred_label.shape[0]
            if pred_label.ndim == 1:  # MXNet updates only the local sum here
                self.sum_metric += (pred_label.flat == label.flat).sum()
            elif pred_label.ndim == 2:
                num_classes = pred_label.shape[1]
                for j in range(min(num_classes, self.top_k)):
                    hits = int((pred_label[:, num_classes - 1 - j].flat == label.flat).sum())
                    self.sum_metric += hits
                    self.global_sum_metric += hits
            self.num_inst += num_samples
            self.global_num_inst += num_samples


def _binary_pair(xp: Any, label: Any, pred: Any) -> tuple:
    """(tp, fp, fn, tn, more_than_two_label_values) of one pair, MXNet's broadcasting kept."""
    label = label.astype(xp.int32)
    pred_label = xp.argmax(pred, axis=1)
    check_label_shapes(label, pred)
    if xp is numpy:
        bad = len(numpy.unique(label)) > 2
    else:
        flat = jnp.sort(label.reshape(-1))
        bad = (1 + jnp.sum(flat[1:] != flat[:-1])) > 2 if flat.size else jnp.bool_(False)
    pred_true = pred_label == 1
    pred_false = 1 - pred_true
    label_true = label == 1
    label_false = 1 - label_true
    i64 = xp.int64
    return ((pred_true * label_true).sum(dtype=i64), (pred_true * label_false).sum(dtype=i64),
            (pred_false * label_true).sum(dtype=i64), (pred_false * label_false).sum(dtype=i64),
            bad)


class _BinaryClassificationMetrics:
    """True/false positive/negative counts, local and global (MXNet's private helper)."""

    def __init__(self) -> None:
        self.reset_stats()

    def add(self, tp: int, fp: int, fn: int, tn: int) -> None:
        self.true_positives += tp
        self.global_true_positives += tp
        self.false_positives += fp
        self.global_false_positives += fp
        self.false_negatives += fn
        self.global_false_negatives += fn
        self.true_negatives += tn
        self.global_true_negatives += tn

    def update_binary_stats(self, label: Any, pred: Any) -> None:
        tp, fp, fn, tn, bad = _binary_pair(numpy, _host(label), _host(pred))
        if bad:
            raise ValueError(f"{self.__class__.__name__} currently only supports binary "
                             "classification.")
        self.add(int(tp), int(fp), int(fn), int(tn))

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return float(a) / (a + b) if a + b > 0 else 0.0

    @staticmethod
    def _f(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r > 0 else 0.0

    @property
    def precision(self) -> float:
        return self._ratio(self.true_positives, self.false_positives)

    @property
    def global_precision(self) -> float:
        return self._ratio(self.global_true_positives, self.global_false_positives)

    @property
    def recall(self) -> float:
        return self._ratio(self.true_positives, self.false_negatives)

    @property
    def global_recall(self) -> float:
        return self._ratio(self.global_true_positives, self.global_false_negatives)

    @property
    def fscore(self) -> float:
        return self._f(self.precision, self.recall)

    @property
    def global_fscore(self) -> float:
        return self._f(self.global_precision, self.global_recall)

    def matthewscc(self, use_global: bool = False) -> float:
        """MCC; zero factors of the denominator are left out."""
        if use_global:
            if not self.global_total_examples:
                return 0.0
            tp, fp = float(self.global_true_positives), float(self.global_false_positives)
            fn, tn = float(self.global_false_negatives), float(self.global_true_negatives)
        else:
            if not self.total_examples:
                return 0.0
            tp, fp = float(self.true_positives), float(self.false_positives)
            fn, tn = float(self.false_negatives), float(self.true_negatives)
        denom = 1.0
        for t in ((tp + fp), (tp + fn), (tn + fp), (tn + fn)):
            if t != 0.0:
                denom *= t
        return ((tp * tn) - (fp * fn)) / math.sqrt(denom)

    @property
    def total_examples(self) -> int:
        return (self.false_negatives + self.false_positives + self.true_negatives
                + self.true_positives)

    @property
    def global_total_examples(self) -> int:
        return (self.global_false_negatives + self.global_false_positives
                + self.global_true_negatives + self.global_true_positives)

    def local_reset_stats(self) -> None:
        self.false_positives = self.false_negatives = 0
        self.true_positives = self.true_negatives = 0

    def reset_stats(self) -> None:
        self.local_reset_stats()
        self.global_false_positives = self.global_false_negatives = 0
        self.global_true_positives = self.global_true_negatives = 0


class _BinaryMetric(EvalMetric):
    """F1 and MCC: per-batch ('macro') or cumulative ('micro') binary scores."""

    def __init__(self, name: str, output_names: list[str] | None,
                 label_names: list[str] | None, average: str):
        if average not in ("macro", "micro"):
            raise ValueError(f"{type(self).__name__}: average must be 'macro' or 'micro', "
                             f"got {average!r}")
        self._average = average
        self._metrics = _BinaryClassificationMetrics()
        EvalMetric.__init__(self, name=name, output_names=output_names,
                            label_names=label_names, has_global_stats=True)

    def _score(self, use_global: bool) -> float:
        raise NotImplementedError

    def _finish_update(self) -> None:
        m = self._metrics
        if self._average == "macro":
            self.sum_metric += self._score(False)
            self.global_sum_metric += self._score(True)
            self.num_inst += 1
            self.global_num_inst += 1
            m.reset_stats()
        else:
            self.sum_metric = self._score(False) * m.total_examples
            self.global_sum_metric = self._score(True) * m.global_total_examples
            self.num_inst = m.total_examples
            self.global_num_inst = m.global_total_examples

    def update(self, labels: Any, preds: Any) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds, strict=True):
            self._metrics.update_binary_stats(label, pred)
        self._finish_update()

    def reset(self) -> None:
        self.sum_metric = 0.0
        self.num_inst = 0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0
        self._metrics.reset_stats()

    def reset_local(self) -> None:
        self.sum_metric = 0.0
        self.num_inst = 0
        self._metrics.local_reset_stats()

    @property
    def fused_supported(self) -> bool:
        return True

    @property
    def fused_summable(self) -> bool:
        return self._average == "micro"

    def fused_stats(self, labels: list, preds: list) -> tuple:
        _require_x64()
        labels, preds = check_label_shapes(labels, preds, True)
        total = [jnp.zeros((), jnp.int64) for _ in range(4)] + [jnp.bool_(False)]
        for label, pred in zip(labels, preds, strict=True):
            stats = _binary_pair(jnp, jnp.asarray(label), jnp.asarray(pred))
            total = [t + s for t, s in zip(total[:4], stats[:4], strict=True)] + \
                [total[4] | stats[4]]
        return tuple(total)

    def _accumulate_call(self, call: tuple) -> None:
        tp, fp, fn, tn, bad = call
        if bool(bad):
            raise ValueError(f"{type(self).__name__} currently only supports binary "
                             "classification.")
        self._metrics.add(int(tp), int(fp), int(fn), int(tn))
        self._finish_update()


class F1(_BinaryMetric):
    """Binary F1 score of predictions argmax(pred, 1) == 1; average 'macro' or 'micro'."""

    def __init__(self, name: str = "f1", output_names: list[str] | None = None,
                 label_names: list[str] | None = None, average: str = "macro"):
        super().__init__(name, output_names, label_names, average)

    @property
    def average(self) -> str:
        return self._average

    @property
    def metrics(self) -> _BinaryClassificationMetrics:
        return self._metrics

    def _score(self, use_global: bool) -> float:
        return self._metrics.global_fscore if use_global else self._metrics.fscore


class MCC(_BinaryMetric):
    """Binary Matthews correlation coefficient; average 'macro' or 'micro'."""

    def __init__(self, name: str = "mcc", output_names: list[str] | None = None,
                 label_names: list[str] | None = None, average: str = "macro"):
        super().__init__(name, output_names, label_names, average)

    def _score(self, use_global: bool) -> float:
        return self._metrics.matthewscc(use_global=use_global)


# --------------------------------------------------------------------------- probability
class Perplexity(_SumStatsMetric):
    """exp(-Σ log p(label) / N); labels equal to ``ignore_label`` are skipped."""

    def __init__(self, ignore_label: int | None, axis: int = -1, name: str = "perplexity",
                 output_names: list[str] | None = None, label_names: list[str] | None = None):
        super().__init__(name, ignore_label=ignore_label, output_names=output_names,
                         label_names=label_names, has_global_stats=True)
        self.ignore_label = ignore_label
        self.axis = axis

    def _check(self, labels: Any, preds: Any) -> tuple[list, list]:
        if _is_array(labels):
            labels = [labels]
        if _is_array(preds):
            preds = [preds]
        if len(labels) != len(preds):
            raise AssertionError(f"Perplexity: {len(labels)} labels for {len(preds)} outputs")
        return labels, preds

    def _pair(self, xp: Any, label: Any, pred: Any) -> tuple[Any, Any]:
        if label.size * pred.shape[-1] != pred.size:
            raise AssertionError(f"shape mismatch: {label.shape} vs. {pred.shape}")
        axis = self.axis % pred.ndim
        k = pred.shape[axis]
        out_shape = pred.shape[:axis] + pred.shape[axis + 1:]
        lab = label.reshape(-1)
        index = xp.clip(lab.astype(xp.int32), 0, k - 1).reshape(out_shape)  # pick's 'clip'
        p = xp.take_along_axis(_as_computed(xp, pred), xp.expand_dims(index, axis), axis=axis)
        p = p.reshape(-1)
        num = p.size
        if self.ignore_label is not None:
            ignore = (lab == self.ignore_label).astype(p.dtype)
            num = num - xp.sum(ignore).astype(xp.int64)
            p = p * (1 - ignore) + ignore
        return -xp.sum(xp.log(xp.maximum(1e-10, p))), num

    def get(self) -> tuple[str, float]:
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.sum_metric / self.num_inst))

    def get_global(self) -> tuple[str, float]:
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.global_sum_metric / self.global_num_inst))


class _PickLogMetric(_SumStatsMetric):
    """Σ -log(pred[i, label_i] + eps) over examples; num += N."""

    def __init__(self, eps: float, name: str, output_names: list[str] | None,
                 label_names: list[str] | None):
        super().__init__(name, eps=eps, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.eps = eps

    def _pair(self, xp: Any, label: Any, pred: Any) -> tuple[Any, Any]:
        label = label.reshape(-1)
        n = pred.shape[0]
        if label.shape[0] != n:
            raise AssertionError(f"{type(self).__name__}: {label.shape[0]} labels for {n} "
                                 "predictions")
        prob = _as_computed(xp, pred)[xp.arange(n), label.astype(xp.int64)]
        return xp.sum(-xp.log(prob + self.eps)), n


@alias("ce")
class CrossEntropy(_PickLogMetric):
    """Cross entropy Σ -log(p_label + eps), averaged over examples."""

    def __init__(self, eps: float = 1e-12, name: str = "cross-entropy",
                 output_names: list[str] | None = None, label_names: list[str] | None = None):
        super().__init__(eps, name, output_names, label_names)


@alias("nll_loss")
class NegativeLogLikelihood(_PickLogMetric):
    """Negative log-likelihood Σ -log(p_label + eps), averaged over examples."""

    def __init__(self, eps: float = 1e-12, name: str = "nll-loss",
                 output_names: list[str] | None = None, label_names: list[str] | None = None):
        super().__init__(eps, name, output_names, label_names)


# --------------------------------------------------------------------------- regression
class _RegressionMetric(_SumStatsMetric):
    """One value per (label, pred) pair, num += 1 per pair; 1-D arrays become (N, 1)."""

    def __init__(self, name: str, output_names: list[str] | None,
                 label_names: list[str] | None):
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def _value(self, xp: Any, diff: Any) -> Any:
        raise NotImplementedError

    def _pair(self, xp: Any, label: Any, pred: Any) -> tuple[Any, Any]:
        label, pred = _as_computed(xp, label), _as_computed(xp, pred)
        if label.ndim == 1:
            label = label.reshape(label.shape[0], 1)
        if pred.ndim == 1:
            pred = pred.reshape(pred.shape[0], 1)
        return self._value(xp, label - pred), 1


class MAE(_RegressionMetric):
    """Mean absolute error per pair, averaged over pairs."""

    def __init__(self, name: str = "mae", output_names: list[str] | None = None,
                 label_names: list[str] | None = None):
        super().__init__(name, output_names, label_names)

    def _value(self, xp: Any, diff: Any) -> Any:
        return xp.abs(diff).mean()


class MSE(_RegressionMetric):
    """Mean squared error per pair, averaged over pairs."""

    def __init__(self, name: str = "mse", output_names: list[str] | None = None,
                 label_names: list[str] | None = None):
        super().__init__(name, output_names, label_names)

    def _value(self, xp: Any, diff: Any) -> Any:
        return (diff ** 2.0).mean()


class RMSE(_RegressionMetric):
    """Root mean squared error per pair, averaged over pairs."""

    def __init__(self, name: str = "rmse", output_names: list[str] | None = None,
                 label_names: list[str] | None = None):
        super().__init__(name, output_names, label_names)

    def _value(self, xp: Any, diff: Any) -> Any:
        return xp.sqrt((diff ** 2.0).mean())


def _corrcoef_jnp(x: jax.Array, y: jax.Array) -> jax.Array:
    """``numpy.corrcoef(x, y)[0, 1]`` with numpy's steps (ddof 1, stddev division, clip)."""
    n = x.shape[0]
    xm, ym = x - x.mean(), y - y.mean()
    c01 = jnp.dot(xm, ym) / (n - 1)
    s0 = jnp.sqrt(jnp.dot(xm, xm) / (n - 1))
    s1 = jnp.sqrt(jnp.dot(ym, ym) / (n - 1))
    return jnp.clip(c01 / s0 / s1, -1, 1)


@alias("pearsonr")
class PearsonCorrelation(EvalMetric):
    """Pearson correlation: per-pair average ('macro') or streaming over all data ('micro')."""

    def __init__(self, name: str = "pearsonr", output_names: list[str] | None = None,
                 label_names: list[str] | None = None, average: str = "macro"):
        if average not in ("macro", "micro"):
            raise ValueError(f"PearsonCorrelation: average must be 'macro' or 'micro', "
                             f"got {average!r}")
        self.average = average
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        if self.average == "micro":
            self.reset_micro()

    def reset_micro(self) -> None:
        self._sse_p = 0
        self._mean_p = 0
        self._sse_l = 0
        self._mean_l = 0
        self._pred_nums = 0
        self._label_nums = 0
        self._conv = 0

    def reset(self) -> None:
        self.num_inst = 0
        self.sum_metric = 0.0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0
        if self.average == "micro":
            self.reset_micro()

    @staticmethod
    def update_variance(new_values: numpy.ndarray, *aggregate: Any) -> tuple:
        count, mean, m_2 = aggregate
        count += len(new_values)
        delta = new_values - mean
        mean += numpy.sum(delta / count)
        delta_2 = new_values - mean
        m_2 += numpy.sum(delta * delta_2)
        return count, mean, m_2

    def update_cov(self, label: numpy.ndarray, pred: numpy.ndarray) -> None:
        self._conv = self._conv + numpy.sum((label - self._mean_l) * (pred - self._mean_p))

    def update(self, labels: Any, preds: Any) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds, strict=True):
            label, pred = _host(label), _host(pred)
            check_label_shapes(label, pred, False, True)
            label = label.ravel().astype(numpy.float64)
            pred = pred.ravel().astype(numpy.float64)
            if self.average == "macro":
                self._add(numpy.corrcoef(pred, label)[0, 1], 1)
            else:
                self.global_num_inst += 1
                self.num_inst += 1
                self._label_nums, self._mean_l, self._sse_l = self.update_variance(
                    label, self._label_nums, self._mean_l, self._sse_l)
                self.update_cov(label, pred)
                self._pred_nums, self._mean_p, self._sse_p = self.update_variance(
                    pred, self._pred_nums, self._mean_p, self._sse_p)

    def get(self) -> tuple[str, Any]:
        if self.num_inst == 0:
            return (self.name, float("nan"))
        if self.average == "macro":
            return (self.name, self.sum_metric / self.num_inst)
        n = self._label_nums
        pearsonr = self._conv / ((n - 1) * numpy.sqrt(self._sse_p / (n - 1))
                                 * numpy.sqrt(self._sse_l / (n - 1)))
        return (self.name, pearsonr)

    @property
    def fused_supported(self) -> bool:
        return self.average == "macro"

    def fused_stats(self, labels: list, preds: list) -> tuple:
        if not self.fused_supported:
            return super().fused_stats(labels, preds)
        _require_x64()
        labels, preds = check_label_shapes(labels, preds, True)
        total = jnp.zeros((), jnp.float64)
        for label, pred in zip(labels, preds, strict=True):
            label, pred = jnp.asarray(label), jnp.asarray(pred)
            check_label_shapes(label, pred, False, True)
            total = total + _corrcoef_jnp(_f64(jnp, pred).ravel(), _f64(jnp, label).ravel())
        return total, jnp.asarray(len(labels), jnp.int64)


class PCC(EvalMetric):
    """Multiclass Matthews correlation from a confusion matrix that grows with the labels."""

    def __init__(self, name: str = "pcc", output_names: list[str] | None = None,
                 label_names: list[str] | None = None, has_global_stats: bool = True):
        self.k = 2
        super().__init__(name=name, output_names=output_names, label_names=label_names,
                         has_global_stats=has_global_stats)

    def _grow(self, inc: int) -> None:
        self.lcm = numpy.pad(self.lcm, ((0, inc), (0, inc)), "constant", constant_values=(0))
        self.gcm = numpy.pad(self.gcm, ((0, inc), (0, inc)), "constant", constant_values=(0))
        self.k += inc

    @staticmethod
    def _calc_mcc(cmat: numpy.ndarray) -> float:
        n = cmat.sum()
        x = cmat.sum(axis=1)
        y = cmat.sum(axis=0)
        cov_xx = numpy.sum(x * (n - x))
        cov_yy = numpy.sum(y * (n - y))
        if cov_xx == 0 or cov_yy == 0:
            return float("nan")
        i = cmat.diagonal()
        cov_xy = numpy.sum(i * n - x * y)
        return cov_xy / (cov_xx * cov_yy) ** 0.5

    def update(self, labels: Any, preds: Any) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds, strict=True):
            label = _host(label).astype("int32", copy=False)
            pred = _host(pred)
            if pred.shape != label.shape:
                pred = pred.argmax(axis=1)
            else:
                pred = pred.astype("int32", copy=False)
            n = max(pred.max(), label.max())
            if n >= self.k:
                self._grow(int(n) + 1 - self.k)
            bcm = numpy.zeros((self.k, self.k))
            for i, j in zip(pred, label, strict=False):
                bcm[i, j] += 1
            self.lcm += bcm
            self.gcm += bcm
        self.num_inst += 1
        self.global_num_inst += 1

    @property
    def sum_metric(self) -> float:
        return self._calc_mcc(self.lcm) * self.num_inst

    @property
    def global_sum_metric(self) -> float:
        return self._calc_mcc(self.gcm) * self.global_num_inst

    def reset(self) -> None:
        self.global_num_inst = 0.0
        self.gcm = numpy.zeros((self.k, self.k))
        self.reset_local()

    def reset_local(self) -> None:
        self.num_inst = 0.0
        self.lcm = numpy.zeros((self.k, self.k))


# --------------------------------------------------------------------------- loss / custom
class Loss(_SumStatsMetric):
    """Mean of all output values (the outputs are losses); labels are ignored."""

    def __init__(self, name: str = "loss", output_names: list[str] | None = None,
                 label_names: list[str] | None = None):
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def _check(self, labels: Any, preds: Any) -> tuple[list, list]:
        if _is_array(preds):
            preds = [preds]
        return [None] * len(preds), list(preds)

    def _pair(self, xp: Any, label: Any, pred: Any) -> tuple[Any, Any]:
        return xp.sum(_f64(xp, pred)), pred.size

    def update(self, _: Any, preds: Any) -> None:
        super().update(None, preds)


class Torch(Loss):
    """Dummy metric for torch criterions (a ``Loss`` named 'torch')."""

    def __init__(self, name: str = "torch", output_names: list[str] | None = None,
                 label_names: list[str] | None = None):
        super().__init__(name, output_names=output_names, label_names=label_names)


class Caffe(Loss):
    """Dummy metric for caffe criterions (a ``Loss`` named 'caffe')."""

    def __init__(self, name: str = "caffe", output_names: list[str] | None = None,
                 label_names: list[str] | None = None):
        super().__init__(name, output_names=output_names, label_names=label_names)


class CustomMetric(EvalMetric):
    """``feval(label, pred)`` on numpy arrays per pair: a tuple adds (sum, num), a number (v, 1).

    The name defaults to ``feval.__name__``, written ``custom(<lambda>)`` when it
    contains ``<``. Not serialisable (``get_config`` raises NotImplementedError).
    """

    def __init__(self, feval: Callable, name: str | None = None,
                 allow_extra_outputs: bool = False, output_names: list[str] | None = None,
                 label_names: list[str] | None = None):
        if name is None:
            name = feval.__name__
            if name.find("<") != -1:
                name = f"custom({name})"
        super().__init__(name, feval=feval, allow_extra_outputs=allow_extra_outputs,
                         output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self._feval = feval
        self._allow_extra_outputs = allow_extra_outputs

    def update(self, labels: Any, preds: Any) -> None:
        if not self._allow_extra_outputs:
            labels, preds = check_label_shapes(labels, preds, True)
        for pred, label in zip(preds, labels, strict=False):
            reval = self._feval(_host(label), _host(pred))
            if isinstance(reval, tuple):
                sum_metric, num_inst = reval
                self._add(sum_metric, num_inst)
            else:
                self._add(reval, 1)

    def get_config(self) -> dict:
        raise NotImplementedError("CustomMetric cannot be serialized")


def np(numpy_feval: Callable, name: str | None = None,
       allow_extra_outputs: bool = False) -> CustomMetric:
    """A ``CustomMetric`` from a function of numpy ``(label, pred)`` returning a number."""

    def feval(label: Any, pred: Any) -> Any:
        return numpy_feval(label, pred)

    feval.__name__ = numpy_feval.__name__
    return CustomMetric(feval, name, allow_extra_outputs)


for _cls in (CompositeEvalMetric, Accuracy, TopKAccuracy, F1, MCC, Perplexity, MAE, MSE, RMSE,
             CrossEntropy, NegativeLogLikelihood, PearsonCorrelation, PCC, Loss, Torch, Caffe,
             CustomMetric):
    register(_cls)
del _cls
