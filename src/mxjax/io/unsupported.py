"""MXNet 1.9.1's C++-backed data iterators that mxjax does not provide.

Each name raises a clear ``MXNetError`` when constructed (not an ``AttributeError``):
image record files (``.rec``), LibSVM files and the generic ``MXDataIter`` wrapper
need MXNet's C++ iterator library.
"""

from __future__ import annotations

from .._unsupported import unsupported_class

__all__ = ["ImageRecordIter", "ImageRecordIter_v1", "ImageRecordUInt8Iter",
           "ImageRecordUInt8Iter_v1", "ImageRecordInt8Iter", "ImageDetRecordIter",
           "LibSVMIter", "MXDataIter"]

_REC = ("MXNet's C++ RecordIO image iterators are not reimplemented",
        "decode the images yourself and use mx.io.NDArrayIter")

ImageRecordIter = unsupported_class("ImageRecordIter", "io", *_REC)
ImageRecordIter_v1 = unsupported_class("ImageRecordIter_v1", "io", *_REC)
ImageRecordUInt8Iter = unsupported_class("ImageRecordUInt8Iter", "io", *_REC)
ImageRecordUInt8Iter_v1 = unsupported_class("ImageRecordUInt8Iter_v1", "io", *_REC)
ImageRecordInt8Iter = unsupported_class("ImageRecordInt8Iter", "io", *_REC)
ImageDetRecordIter = unsupported_class("ImageDetRecordIter", "io", *_REC)
LibSVMIter = unsupported_class(
    "LibSVMIter", "io", "sparse LibSVM input needs row_sparse/csr arrays, which mxjax lacks",
    "load the data densely and use mx.io.NDArrayIter")
MXDataIter = unsupported_class(
    "MXDataIter", "io", "it wraps MXNet's C++ data iterator handles",
    "use mx.io.NDArrayIter, CSVIter, MNISTIter or a DataIter subclass")
