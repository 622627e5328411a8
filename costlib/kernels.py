"""A warm Jupyter kernel that runs one notebook after another through papermill, each in a clean namespace.

Starting a kernel and importing numpy, pandas, altair and vl-convert costs seconds; the model arithmetic
of a report costs a fraction of one. `WarmKernel` starts one kernel per batch worker, imports the stack
once, and before each notebook resets the kernel to the state of a fresh one: ``%reset -f`` empties the
user namespace and the input/output history, and the execution counter starts again at 1, so the executed
notebook is the same, byte for byte up to papermill's timestamps, whether it ran first or tenth (the test
``tests/test_runner_warm.py`` checks it). Imported modules stay imported: costlib's modules are pure
functions and hold no state between runs.

Execution goes through papermill's own machinery (parameterize, the nbclient engine, the execution
manager, the error check), with the kernel manager and client supplied, so papermill's metadata, cell
timings and error reports are those of ``papermill.execute_notebook``.

The kernel runs in its own session (Ctrl-C in the terminal does not reach it), with its connection file
in a folder the caller owns and its stdout and stderr discarded (this also silences ipykernel's "running
over TCP without encryption" line). ipykernel exits by itself within a second once its parent (the
worker) is gone; `kill` ends it at once.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
from pathlib import Path

#: Imported (and a chart drawn) once per kernel, so that no report pays for them.
WARM_UP = """\
import numpy, pandas, scipy.stats, altair, vl_convert, IPython.display, markdown_it
import costlib.charts, costlib.params, costlib.report, costlib.uncertainty, costlib.whatif
import costlib.workbooks.unit_economics, costlib.workbooks.tco, costlib.workbooks.capex_opex
import costlib.workbooks.build_vs_buy
costlib.charts.to_svg(altair.Chart(pandas.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x:Q"))
"""

#: Back to a fresh kernel's state: empty namespace and history; the next cell is In [1].
RESET = "get_ipython().run_line_magic('reset', '-f')\nget_ipython().execution_count = 1\n"


class WarmKernel:
    """One kernel, reused notebook after notebook.

    Parameters
    ----------
    workdir : path
        The kernel's working folder (the project root: notebooks run from there).
    runtime_dir : path
        Where the kernel's connection file goes (a folder the caller removes).
    kernel_name : str
        The kernelspec, ``python3``.
    """

    def __init__(self, workdir: str | os.PathLike, runtime_dir: str | os.PathLike, kernel_name: str = "python3"):
        from jupyter_client.manager import AsyncKernelManager

        self.kernel_name = kernel_name
        self.workdir = str(workdir)
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        # Two levels down, so that no glob of report JSON files (``outputs/*/*.json``) ever sees it.
        folder = Path(runtime_dir) / "kernel"
        folder.mkdir(parents=True, exist_ok=True)
        self.km.connection_file = str(folder / f"connection-{os.getpid()}.json")
        self.kc = None
        self.runs = 0
        self.started = False

    # -- life cycle -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the kernel, connect, import the stack."""
        self.launch()
        self.connect()

    def launch(self) -> None:
        """Start the kernel process and return at once: the caller can do other work while it boots."""
        from jupyter_core.utils import run_sync

        if self.km.has_kernel:
            return
        # No history database: the execution counter restarts at 1 for every notebook, which IPython's
        # SQLite history would report as a clash; batch runs have no use for input history.
        run_sync(self.km.start_kernel)(cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       extra_arguments=["--HistoryManager.enabled=False"])

    def connect(self) -> None:
        """Wait for the launched kernel, connect to it and import the stack in it."""
        from jupyter_core.utils import run_sync

        self.launch()
        self.kc = self.km.client()
        self.kc.allow_stdin = False
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=60)
        self.started = True
        self._run_code(WARM_UP)

    @property
    def pid(self) -> int | None:
        """The kernel's process id (None before start)."""
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def kill(self) -> None:
        """End the kernel now (SIGKILL) and remove its connection file; safe to call twice."""
        pid = self.pid
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)  # its own session: the kernel and anything it started
            except OSError:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        try:
            os.unlink(self.km.connection_file)
        except OSError:
            pass
        self.started = False

    def shutdown(self) -> None:
        """Stop the client and the kernel."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        finally:
            self.kill()

    # -- running --------------------------------------------------------------------------------------

    def _run_code(self, code: str) -> None:
        """Run ``code`` outside any notebook: no history, no output kept; raise if it fails."""
        import nbformat
        from nbclient import NotebookClient

        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        client = NotebookClient(nb, km=self.km, kernel_name=self.kernel_name, timeout=120)
        client.kc = self.kc
        client.execute()

    def execute(self, source_nb, parameters: dict, output_path: str | os.PathLike, input_path: str = "",
                recorded_output_path: str | None = None):
        """Run a copy of ``source_nb`` with ``parameters`` the way ``papermill.execute_notebook`` does.

        Returns the executed notebook; raises ``PapermillExecutionError`` when a cell fails, after writing
        the failed notebook to ``output_path`` as papermill does (the kernel stays usable: the next
        `execute` resets it). ``recorded_output_path`` is the path written into the notebook's papermill
        metadata (the report's final place rather than a staging folder).
        """
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NotebookExecutionManager
        from papermill.execute import (prepare_notebook_metadata, raise_for_execution_errors,
                                       remove_error_markers)
        from papermill.parameterize import parameterize_notebook

        if not self.started:
            self.start()
        self._run_code(RESET)  # also after the warm-up, so the first notebook starts at In [1] too
        self.runs += 1
        nb = copy.deepcopy(source_nb)
        nb = parameterize_notebook(nb, parameters, kernel_name=self.kernel_name, language="python")
        for cell in nb.cells:  # papermill gives its injected cell a random id: make the notebook repeatable
            if "injected-parameters" in cell.metadata.get("tags", []):
                cell.id = "injected-parameters"
        nb = prepare_notebook_metadata(nb, input_path, str(recorded_output_path or output_path))
        nb = remove_error_markers(nb)
        manager = NotebookExecutionManager(nb, output_path=None, progress_bar=False, log_output=False)
        manager.notebook_start()
        try:
            client = PapermillNotebookClient(manager, km=self.km, kernel_name=self.kernel_name, log_output=False,
                                             startup_timeout=60)
            client.kc = self.kc
            client.execute()
        finally:
            manager.notebook_complete()
        raise_for_execution_errors(manager.nb, str(output_path))
        return manager.nb
