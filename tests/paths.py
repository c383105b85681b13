"""Where the test suite's files are, whichever folder a test module sits in."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"
CLIENTS = TESTS / "clients"
ARTIFACTS = TESTS / "artifacts"
# The shipped story, one article folder of the newsroom layout.
STORY = REPO / "articles" / "musk-trump-zelensky-call"
