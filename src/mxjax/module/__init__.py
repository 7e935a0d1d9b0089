"""``mx.mod``: MXNet's Module API."""

from .base_module import BaseModule
from .module import Module

__all__ = ["BaseModule", "Module"]
