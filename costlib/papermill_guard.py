"""Plain ``papermill -f params.yaml`` runs no code from the params file.

papermill writes each parameter into the notebook's injected cell as ``name = value``: values are
escaped, names are not (``PythonTranslator.assign``), so a YAML key such as
``'z = 1; __import__("os").system("touch PWNED"); w'`` would run before any of the notebook's own
validation. papermill imports every ``papermill.engine`` entry point when it starts
(``papermill/engines.py``), and looks up its translators in a registry; costbook declares this module as
such an entry point (``pyproject.toml``), so importing it registers `IdentifierTranslator` for Python
kernels in every papermill run on a machine where costbook is installed, ``costbook run`` or not. A key
that is not a Python identifier (or is a keyword) stops the run with one line, before the notebook is
written or any cell runs.

The entry point's object, `Engine`, is papermill's own nbclient engine under the name ``costbook``
(``papermill --engine costbook`` is the same as the default engine).

Examples
--------
>>> IdentifierTranslator.codify({"horizon_months": 36}).splitlines()[1]
'horizon_months = 36'
>>> IdentifierTranslator.codify({'z = 1; __import__("os").system("id"); w': 1})
Traceback (most recent call last):
...
costlib.papermill_guard.ParameterNameError: papermill parameter 'z = 1; __import__("os").system("id"); w': expected a Python name (letters, digits and _, not starting with a digit); nothing was run
"""

from __future__ import annotations

import keyword
import sys


class Engine:
    """papermill's default engine (nbclient), registered as ``costbook``: the entry point must name an engine.

    Defined before anything is imported from papermill: importing papermill loads this module through the
    entry point, and papermill then reads this name from the half-imported module.
    """

    @staticmethod
    def _nbclient():
        from papermill.engines import NBClientEngine

        return NBClientEngine

    @classmethod
    def execute_notebook(cls, *args, **kwargs):
        return cls._nbclient().execute_notebook(*args, **kwargs)

    @classmethod
    def nb_kernel_name(cls, *args, **kwargs):
        return cls._nbclient().nb_kernel_name(*args, **kwargs)

    @classmethod
    def nb_language(cls, *args, **kwargs):
        return cls._nbclient().nb_language(*args, **kwargs)


from papermill.exceptions import PapermillException  # noqa: E402 (after Engine: see its docstring)
from papermill.translators import PythonTranslator, papermill_translators  # noqa: E402

__all__ = ["Engine", "IdentifierTranslator", "ParameterNameError", "check_name", "install"]

#: How much of a refused name the message shows.
SHOWN_CHARACTERS = 200


class ParameterNameError(PapermillException):
    """A parameter name that would be code in the injected cell, not a name."""


def check_name(name) -> None:
    """Raise `ParameterNameError` unless ``name`` is a Python identifier that is not a keyword."""
    if isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name):
        return
    shown = repr(name)
    if len(shown) > SHOWN_CHARACTERS:
        shown = shown[: SHOWN_CHARACTERS - 3] + "..."
    raise ParameterNameError(f"papermill parameter {shown}: expected a Python name (letters, digits and _, not "
                             "starting with a digit); nothing was run")


class IdentifierTranslator(PythonTranslator):
    """papermill's Python translator, refusing parameter names that are not Python names."""

    @classmethod
    def codify(cls, parameters, comment="Parameters"):
        for name in parameters:
            check_name(name)
        return super().codify(parameters, comment)


def _excepthook(previous):
    def hook(kind, value, tb):
        if isinstance(value, ParameterNameError):  # the papermill command: one line, no traceback
            print(f"papermill: {value}", file=sys.stderr)
            return
        previous(kind, value, tb)

    hook.costbook_guard = True
    return hook


def install() -> None:
    """Register `IdentifierTranslator` for Python kernels (idempotent)."""
    for name in ("python", "python3", "pysparkkernel"):
        papermill_translators.register(name, IdentifierTranslator)
    if not getattr(sys.excepthook, "costbook_guard", False):
        sys.excepthook = _excepthook(sys.excepthook)


install()
