"""A module imported on first attribute access, for the command line's heavy libraries.

Why: ``coordgraph --help`` must answer in well under a second, yet pandas alone takes ~0.4 s
to import and numpy ~0.06 s. The command modules write ``pd = lazy_module("pandas")`` and use
``pd.read_csv(...)`` as usual; the import happens in the first command that touches ``pd``.
Nothing is put in ``sys.modules`` before that, so a check of ``sys.modules`` after
``coordgraph --help`` shows exactly what was really imported.
"""
from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    """Stands for the module ``name``; imports it on the first attribute access."""

    __slots__ = ("_lazy_name", "_lazy_module")

    def __init__(self, name: str) -> None:
        self._lazy_name = name
        self._lazy_module: ModuleType | None = None

    def __getattr__(self, attr: str):
        module = self._lazy_module
        if module is None:
            module = self._lazy_module = importlib.import_module(self._lazy_name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        state = "imported" if self._lazy_module is not None else "not imported yet"
        return f"<lazy module {self._lazy_name!r} ({state})>"


def lazy_module(name: str) -> LazyModule:
    """A stand-in for ``import name`` that imports ``name`` on first use."""
    return LazyModule(name)
