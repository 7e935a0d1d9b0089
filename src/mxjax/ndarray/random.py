"""``mx.nd.random``: random NDArrays (see ``mxjax.random``)."""

from ..random import normal, randint, shuffle, uniform

__all__ = ["normal", "randint", "shuffle", "uniform"]
