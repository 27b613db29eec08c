"""Modules that can be called like their main function.

``vitd_kg.claims``, ``vitd_kg.audit`` and ``vitd_kg.stats`` are modules named like
the function they hold. Importing a submodule binds its name on the package, so a
plain function of the same name would be shadowed; making the module callable lets
``vitd_kg.audit()`` and ``vitd_kg.audit.audit()`` (and ``from vitd_kg.audit import
Finding``) all work.
"""

from __future__ import annotations

import sys
import types
from typing import Any


def make_callable(module_name: str, function_name: str) -> None:
    """Make the module ``module_name`` call its ``function_name`` when called."""
    module = sys.modules[module_name]

    class CallableModule(types.ModuleType):
        __doc__ = module.__doc__

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return getattr(self, function_name)(*args, **kwargs)

    module.__class__ = CallableModule
