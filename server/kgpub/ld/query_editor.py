"""The browser's query editor: YASGUI, served from the project's own files.

People who open the endpoint in a browser get an editor with a results
table instead of a service description in Turtle. The editor's assets come
from the npm registry when the package is built (setup.py; ``scripts/setup-ui``
in a checkout) into ``static/vendor/``, ship inside the wheel and are never
fetched from a CDN, so the page works offline; if they are missing (a checkout
without npm), the page says how to install them and still offers a plain
query form. The competency questions become ready example tabs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template

STATIC_DIR = Path(__file__).parents[1] / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
VENDOR_FILES = ("yasgui.min.js", "yasgui.min.css")


@dataclass(frozen=True)
class ExampleQuery:
    title: str
    query: str


def assets_installed(vendor_dir: Path = VENDOR_DIR) -> bool:
    return all((vendor_dir / name).is_file() for name in VENDOR_FILES)


def example_queries(queries_dir: Path) -> list[ExampleQuery]:
    """The competency queries, titled by a leading ``# title: ...`` comment or the file name."""
    examples = []
    for path in sorted(queries_dir.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        title = path.stem.replace("-", " ").replace("_", " ")
        if first.startswith("#") and first.lstrip("# ").lower().startswith("title:"):
            title = first.lstrip("# ")[len("title:") :].strip() or title
        examples.append(ExampleQuery(title, text))
    return examples


def _script_json(value: object) -> str:
    # JSON inside <script>: "</" would end the element early.
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def render_page(
    endpoint: str, static_prefix: str, examples: list[ExampleQuery], installed: bool
) -> str:
    """The HTML of the query page for the endpoint at path ``endpoint``."""
    template = Template(files("kgpub").joinpath("templates/query.html").read_text("utf-8"))
    return template.substitute(
        endpoint=endpoint,
        static=static_prefix,
        examples=_script_json([{"name": e.title, "query": e.query} for e in examples]),
        endpoint_json=_script_json(endpoint),
        editor_display="block" if installed else "none",
        missing_display="none" if installed else "block",
    )
