"""What-if controls for analysts running a workbook interactively in JupyterLab.

Batch runs (papermill, ``interactive=False``) never call this module: widget output lives only in widget
state and would be missing from the HTML report (see TOOLCHAIN.md). Interactive runs get sliders that
re-run a costlib model and redraw its figures.
"""

from __future__ import annotations

from typing import Callable, Mapping


def sliders(render: Callable[..., None], controls: Mapping[str, tuple[float, float, float, float]],
            labels: Mapping[str, str] | None = None) -> None:
    """Show one slider per input and call ``render(**values)`` whenever one moves.

    Parameters
    ----------
    render : callable
        Draws the figures for the given input values (prints a headline, shows a chart).
    controls : mapping
        ``{input: (minimum, maximum, step, value)}``.
    labels : mapping, optional
        Display names for the inputs.
    """
    import ipywidgets as widgets
    from IPython.display import display

    labels = labels or {}
    boxes = {}
    for name, (low, high, step, value) in controls.items():
        boxes[name] = widgets.FloatSlider(
            value=float(value), min=float(low), max=float(high), step=float(step),
            description=labels.get(name, name), continuous_update=False, readout_format=".4s",
            style={"description_width": "260px"}, layout=widgets.Layout(width="640px"))
    output = widgets.interactive_output(render, boxes)
    display(widgets.VBox([*boxes.values(), output]))
