"""The exit codes of every ``kgpub`` command, defined once.

0: done (the data is accepted); 1: the data breaks a Violation shape;
2: the input could not be read or used (a syntax error, a missing file, a bad
setting, nothing found to work on).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2
