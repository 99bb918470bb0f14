"""The web explorer: one page served at `/` (and deep links `/explore/{code}?as_of=`), its own scripts and styles
from `api/web/static/`, and the graph library from `api/web/node_modules/` (installed by `make web` with `npm ci`
from the pinned versions in `api/web/package-lock.json`; nothing is fetched from elsewhere at run time). Beside it,
`/sparql-editor`: YASGUI (the npm package @zazuko/yasgui, installed the same way) over this server's `/sparql`.

The page only talks to this server's JSON API (the SPARQL editor, to its `/sparql`). Every answer of these routes
carries a Content-Security-Policy that lets the page load scripts, styles, images and data from this origin alone,
so a browser showing it makes no request anywhere else, and text from the data, always put on the page as text,
could not run as script even if it were not.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from graphkit.errors import NotFound, StoreUnavailable

WEB = Path(__file__).parent / "web"
STATIC = WEB / "static"
NODE_MODULES = WEB / "node_modules"

# what the page may load, by the name it asks for: our files, and the two files it needs from the npm packages
ASSETS = {
    "app.js": STATIC / "app.js",
    "network.js": STATIC / "network.js",
    "orgview.js": STATIC / "orgview.js",
    "dom.js": STATIC / "dom.js",
    "style.css": STATIC / "style.css",
    "favicon.svg": STATIC / "favicon.svg",
    "sparql-editor.js": STATIC / "sparql-editor.js",
    "sparql-examples.json": STATIC / "sparql-examples.json",
    "vendor/cytoscape.min.js": NODE_MODULES / "cytoscape" / "dist" / "cytoscape.min.js",
    "vendor/cytoscape-svg.js": NODE_MODULES / "cytoscape-svg" / "cytoscape-svg.js",
    "vendor/yasgui.min.js": NODE_MODULES / "@zazuko" / "yasgui" / "build" / "yasgui.min.js",
    "vendor/yasgui.min.css": NODE_MODULES / "@zazuko" / "yasgui" / "build" / "yasgui.min.css",
}
MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json"}

# style-src: our stylesheet, the one rule Cytoscape.js puts in a <style> element of its own, and the one YASGUI's
# table (its column resizer) puts in another, each by its hash (both fixed by the pinned packages)
CYTOSCAPE_STYLE = "'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8='"
YASGUI_STYLE = "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='"
CSP = (f"default-src 'none'; script-src 'self'; style-src 'self' {CYTOSCAPE_STYLE} {YASGUI_STYLE}; "
       "img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

router = APIRouter(include_in_schema=False)


def _page() -> Response:
    return FileResponse(STATIC / "index.html", media_type=MEDIA[".html"],
                        headers={**HEADERS, "Cache-Control": "no-cache"})


@router.get("/")
def home() -> Response:
    """The explorer."""
    return _page()


@router.get("/sparql-editor")
def sparql_editor() -> Response:
    """The SPARQL query editor (YASGUI) over this server's /sparql, with example queries."""
    return FileResponse(STATIC / "sparql.html", media_type=MEDIA[".html"],
                        headers={**HEADERS, "Cache-Control": "no-cache"})


@router.get("/favicon.ico")
def favicon() -> Response:
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml", headers=HEADERS)


@router.get("/explore/{code}")
def explore(code: str) -> Response:
    """A deep link to an organisation: the same page, which reads the code and `as_of` from the address."""
    return _page()


@router.get("/assets/{name:path}")
def asset(name: str) -> Response:
    path = ASSETS.get(name)
    if path is None:
        raise NotFound(f"no asset {name!r}", details={"asset": name})
    if not path.is_file():
        # the npm packages are installed by the set-up (make web); say so rather than serve a broken page
        raise StoreUnavailable(f"the explorer's asset {name!r} is not installed: run `make web` (npm ci in api/web)",
                               details={"asset": name})
    return FileResponse(path, media_type=MEDIA[path.suffix],
                        headers={**HEADERS, "Cache-Control": "public, max-age=3600"})
