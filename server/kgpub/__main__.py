"""``python -m kgpub`` and the ``kgpub`` command: a small door into ``kgpub.cli.main``.

Processes that multiprocessing starts (the query workers, ``kgpub serve
--workers``) first re-import the main module of the process that started them:
the console script, or the module named with ``-m``. Were that ``kgpub.cli.main``,
every query worker would import rdflib, pySHACL and pyld, which it never uses:
about 0.3 s of CPU and tens of MB each, paid again for every worker replaced
after a deadline. So the command's main module is this one, which imports the
CLI only when it runs as the program (and ``-m kgpub`` is not re-imported at all).
"""

from __future__ import annotations

import sys


def main() -> int:
    from kgpub.cli.main import main as run  # noqa: PLC0415 - only the program itself needs the CLI

    return run()


if __name__ == "__main__":
    sys.exit(main())
