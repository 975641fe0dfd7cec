"""``python -m mllint``.

``python -m`` puts the working folder first on ``sys.path``. mllint is run in the trees it
lints, and those are untrusted: a ``click.py`` or ``libcst.py`` there would be imported in
place of the real one (and handed on to every process mllint starts). So the entry goes
before anything else is imported. What ``python -m`` imports before this module runs (the
``mllint`` package itself: an ``mllint.py`` in the working folder replaces it) cannot be
protected here: the ``mllint`` command, ``python -P -m mllint`` and ``python -I -m mllint``
are immune.
"""

import os
import sys


def _forget_working_folder() -> None:
    """Drop the working folder ``python -m`` put first on ``sys.path``, unless mllint itself
    was imported from it (running from a source checkout: its code runs anyway)."""
    if not sys.path or sys.flags.isolated or getattr(sys.flags, "safe_path", False):
        return
    import mllint

    try:
        first = os.path.realpath(sys.path[0] or os.curdir)
        if first != os.path.realpath(os.getcwd()):
            return
        home = os.path.dirname(os.path.dirname(os.path.realpath(mllint.__file__ or "")))
    except OSError:  # the working folder is gone: nothing can be imported from it
        return
    if home != first:
        del sys.path[0]


_forget_working_folder()

from mllint.cli import run  # noqa: E402  (only once the working folder is off sys.path)

if __name__ == "__main__":
    run()
