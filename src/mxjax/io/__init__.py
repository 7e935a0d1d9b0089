"""``mx.io``: MXNet 1.9.1's data iterators (DataDesc, DataBatch, DataIter and the in-memory,
CSV, MNIST, resizing and prefetching iterators)."""

from __future__ import annotations

from .csv_iter import CSVIter
from .io import DataBatch, DataDesc, DataIter
from .mnist_iter import MNISTIter
from .ndarray_iter import FusedEpochPlan, NDArrayIter
from .prefetching_iter import PrefetchingIter
from .resize_iter import ResizeIter

__all__ = [
    "CSVIter", "DataBatch", "DataDesc", "DataIter", "FusedEpochPlan", "MNISTIter", "NDArrayIter",
    "PrefetchingIter", "ResizeIter",
]
