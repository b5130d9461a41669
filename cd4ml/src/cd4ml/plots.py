"""Figures whose text comes from the data: class labels, column and feature names."""

import contextlib


@contextlib.contextmanager
def figure(**options):
    """A matplotlib figure and its axes, to draw and save inside the block; closed after it.

    Every string is drawn as written: mathtext would read `$x$` in a label as markup and fail
    on `$\\frac$`. Ticks get their text when the figure is saved, so save inside the block.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = {
        "text.parse_math": False,
        "svg.hashsalt": "cd4ml",  # stable SVG element ids: the same data, the same bytes
    }
    with matplotlib.rc_context(settings):
        drawing, axes = plt.subplots(**options)
        try:
            yield drawing, axes
        finally:
            plt.close(drawing)
