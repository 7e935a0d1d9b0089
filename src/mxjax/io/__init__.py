"""``mx.io``: MXNet 1.9.1's data iterators (DataDesc, DataBatch, DataIter and the in-memory,
CSV, MNIST, resizing and prefetching iterators; MXNet's C++ record/LibSVM iterators raise
a clear MXNetError)."""

from __future__ import annotations

from .csv_iter import CSVIter
from .io import DataBatch, DataDesc, DataIter
from .mnist_iter import MNISTIter
from .ndarray_iter import FusedEpochPlan, NDArrayIter
from .prefetching_iter import PrefetchingIter
from .resize_iter import ResizeIter
from .unsupported import (
    ImageDetRecordIter,
    ImageRecordInt8Iter,
    ImageRecordIter,
    ImageRecordIter_v1,
    ImageRecordUInt8Iter,
    ImageRecordUInt8Iter_v1,
    LibSVMIter,
    MXDataIter,
)

__all__ = [
    "CSVIter", "DataBatch", "DataDesc", "DataIter", "FusedEpochPlan", "MNISTIter", "NDArrayIter",
    "PrefetchingIter", "ResizeIter",
    # MXNet's C++ iterators: raise a clear MXNetError when constructed
    "ImageDetRecordIter", "ImageRecordInt8Iter", "ImageRecordIter", "ImageRecordIter_v1",
    "ImageRecordUInt8Iter", "ImageRecordUInt8Iter_v1", "LibSVMIter", "MXDataIter",
]
