"""``python -m csops``.

For ``-m`` Python puts the working folder first on ``sys.path``. In a csops project that folder holds the team's
``kb/`` (the knowledge base), which, having no ``__init__.py``, is then taken for csops's own ``kb`` package as a
namespace package before an editable install's finder is asked: ``python -m csops demo`` run in a project ended in
an internal error. The working folder is dropped unless csops itself is imported from it (a checkout).
"""

import sys
from pathlib import Path

import csops

if sys.path and sys.path[0] and Path(sys.path[0]).resolve() != Path(csops.__file__).resolve().parents[1]:
    del sys.path[0]

from csops.cli import main

main()
