"""``planforge template infer``: a declarative plugin folder made from a blank official annex.

:mod:`.headers` guesses fields from header words, :mod:`.blanks` turns single-value blanks into
settings, :mod:`.excel` and :mod:`.word` make the template from the blank, and :mod:`.plugin`
writes the folder and says what to review.
"""

from .plugin import infer_plugin

__all__ = ["infer_plugin"]
