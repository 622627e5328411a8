"""Exceptions raised by costlib.

`ModelError` is a `ValueError` raised by a formula given an argument it cannot use; its message names the
argument, the value and what was expected. `ScenarioError` is raised while loading or validating a
scenario file, before any computing starts; its message names the file, the key, the value and what was
expected.
"""


class ModelError(ValueError):
    """A formula was given an argument outside its domain."""


class ScenarioError(ValueError):
    """A scenario (params file or notebook parameters) failed validation.

    Parameters
    ----------
    source : str
        The file path, or ``"notebook parameters"``.
    problems : list of tuple
        ``(key, value, expected)`` triples, one per problem.
    """

    def __init__(self, source, problems):
        self.source = str(source)
        self.problems = list(problems)
        super().__init__("\n".join(self.lines()))

    def _render_traceback_(self):
        """What IPython shows instead of a traceback: the problems alone, one per line."""
        return ["ScenarioError: the scenario is not valid; nothing was computed."] + self.lines()

    def lines(self):
        """One line per problem: ``file: key 'k' = v: expected ...``, each key and value shown in at most
        `SHOWN_CHARACTERS` characters (a value from a file can be as long as the file)."""
        out = []
        for key, value, expected in self.problems:
            if key:
                out.append(f"{self.source}: key '{shorten(str(key))}' = {shorten(repr(value))}: {expected}")
            else:
                out.append(f"{self.source}: {expected}")
        return out


#: How many characters of a key or value from a file an error line shows.
SHOWN_CHARACTERS = 200


def shorten(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    r"""``text`` in at most about ``limit`` characters, saying how long it was; on one line.

    Examples
    --------
    >>> shorten("x" * 500, 20)
    'xxxxxxxxxxxxxxxxxxxx... (500 characters)'
    >>> shorten("a\nb")
    'a\\nb'
    """
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def require(condition, name, value, expected):
    """Raise `ModelError` naming ``name`` and ``value`` unless ``condition`` holds.

    Examples
    --------
    >>> require(2 > 1, "volume", 2, "expected > 1")
    >>> require(False, "volume", -1, "expected >= 0")
    Traceback (most recent call last):
    ...
    costlib.errors.ModelError: volume = -1: expected >= 0
    """
    if not condition:
        raise ModelError(f"{name} = {value!r}: {expected}")


class BillingDataError(ValueError):
    """Billing data that cannot be analysed: missing mandatory columns, no rows, mixed currencies...

    The message is one line per problem and names the file (or the set of files) it was found in.
    """

    def _render_traceback_(self):
        """What IPython shows instead of a traceback: the message alone, after the line of the notebook cell
        that raised it (as IPython marks it, ``----> 3 a = wb.analyse(scenario)``: the batch runner quotes it)."""
        return [*_cell_line(self), "BillingDataError: the billing data cannot be analysed; nothing was computed.",
                *str(self).splitlines()]


def _cell_line(exc: BaseException) -> list[str]:
    """``["----> <line number> <source>"]`` for the notebook cell's line in ``exc``'s traceback, else ``[]``.

    A cell's code is compiled from a file IPython names (``/tmp/ipykernel_<pid>/<hash>.py`` under ipykernel,
    ``<ipython-input-...>`` before): the first frame in such a file is the cell's."""
    import linecache

    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if "ipykernel_" in name or name.startswith(("<ipython-input", "<cell")):
            text = linecache.getline(name, tb.tb_lineno).strip()
            return [f"----> {tb.tb_lineno} {text}"] if text else []
        tb = tb.tb_next
    return []
