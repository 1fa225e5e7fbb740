"""The chapters' local widgets: live in a kernel, a PNG of their default state in the book.

Each is built with :func:`attn_book.widgets.view.guarded_view` and named for
what it shows.
"""

from attn_book.widgets.induction import induction_widget
from attn_book.widgets.view import WidgetWithFallback, guarded_view

__all__ = ["WidgetWithFallback", "guarded_view", "induction_widget"]
