"""Look at the built site the way a reader would, in headless Chromium.

    python docs/check_pages.py [docs/_build/html] [--screenshots DIR] [--static]

Checks, page by page:

* every gallery page (``auto_examples/plot_*.html``) shows at least one figure: an ``<img>`` of a
  rendered figure whose image file exists, is a PNG of non-zero size, and is laid out with a
  non-zero width and height on the page;
* every API page (``generated/*.html``, the autosummary stubs) has a "Parameters" list, and that
  list names each parameter of the object's signature (for a class, of its ``__init__``);
* the benchmarks page shows each of its figures (the PNGs of ``benchmarks/results``).

With Chromium (Debian's ``chromium`` package; ``--chromium PATH`` or ``$CHROMIUM`` for another
binary) each page is loaded from disk with a small script added to a temporary copy of it, which
measures what is laid out, and Chromium's DOM after loading is what is checked. Without Chromium,
or with ``--static``, the same checks run on the HTML files (no layout sizes). ``--screenshots``
writes a PNG of each checked page. The exit status is 1 when a check fails.
"""

import argparse
import concurrent.futures
import html.parser
import importlib
import inspect
import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile

# Parameters that a docstring does not list yet, by API page. Each is printed as a known gap rather
# than failing the check; the docstrings live in skweight/ and are fixed there, then the entry goes.
KNOWN_GAPS = {}  # page stem -> set of parameter names; empty: every public parameter is listed

# added to a temporary copy of each page: measure the figures and the parameter lists as laid out
_PROBE = """
<script>
window.addEventListener("load", () => {
  const boxes = (el) => { const r = el.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
  const seen = (img) => ({
    src: img.getAttribute("src"), natural: [img.naturalWidth, img.naturalHeight], shown: boxes(img)});
  const images = [...document.querySelectorAll("img.sphx-glr-single-img, img.sphx-glr-multi-img")].map(seen);
  const figures = [...document.querySelectorAll("article img")].map(seen);
  const parameters = [];
  for (const dt of document.querySelectorAll("dl.field-list > dt")) {
    if (!dt.textContent.trim().startsWith("Parameters")) continue;
    for (const strong of dt.nextElementSibling.querySelectorAll("dl > dt > strong")) {
      const [w, h] = boxes(strong);
      // numpydoc groups parameters that share a description: "y, class_weight, kind"
      if (w > 0 && h > 0) parameters.push(...strong.textContent.split(",").map((name) => name.trim()));
    }
  }
  const out = document.createElement("pre");
  out.id = "page-check";
  out.textContent = JSON.stringify({images, figures, parameters, title: document.title});
  document.body.appendChild(out);
});
</script>
"""


class _Page(html.parser.HTMLParser):
    """The same facts from the HTML file, without a browser (no layout)."""

    def __init__(self):
        super().__init__()
        self.images, self.figures, self.parameters, self.title = [], [], [], ""
        self._article = 0
        self._in_title = self._in_params_dt = self._in_params = self._in_strong = False
        self._dt_text, self._depth = "", 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "article":
            self._article += 1
        if tag == "img" and self._article:
            self.figures.append({"src": attrs.get("src"), "natural": None, "shown": None})
        if tag == "img" and {"sphx-glr-single-img", "sphx-glr-multi-img"} & set(classes):
            self.images.append({"src": attrs.get("src"), "natural": None, "shown": None})
        elif tag == "title":
            self._in_title = True
        elif tag == "dt" and {"field-odd", "field-even"} & set(classes):
            self._in_params_dt, self._dt_text = True, ""
        elif tag == "dd" and self._in_params:
            self._depth += 1
        elif tag == "strong" and self._in_params and self._depth:
            self._in_strong = True
            self.parameters.append("")

    def handle_endtag(self, tag):
        if tag == "article":
            self._article -= 1
        if tag == "title":
            self._in_title = False
        elif tag == "dt" and self._in_params_dt:
            self._in_params_dt = False
            self._in_params = self._dt_text.strip().startswith("Parameters")
            self._depth = 0
        elif tag == "dd" and self._in_params and self._depth:
            self._depth -= 1
            if not self._depth:
                self._in_params = False
        elif tag == "strong":
            self._in_strong = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._in_params_dt:
            self._dt_text += data
        if self._in_strong:
            self.parameters[-1] += data.strip()


def find_chromium(explicit=None):
    for name in [explicit, os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"]:
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _chromium_args(chromium, profile, height=1600):
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size=1280,{height}",
        "--virtual-time-budget=10000",
    ]


def look(chromium, page, profile, screenshot=None):
    """What Chromium lays out on ``page``: its images and its visible parameter names."""
    probe = page.with_name(f".page-check-{page.name}")
    probe.write_text(page.read_text().replace("</body>", _PROBE + "</body>"))
    try:
        dom = subprocess.run(
            [*_chromium_args(chromium, profile), "--dump-dom", probe.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
        if screenshot is not None:
            subprocess.run(
                [*_chromium_args(chromium, profile, height=4000), f"--screenshot={screenshot}", page.as_uri()],
                capture_output=True,
                timeout=120,
            )
    finally:
        probe.unlink()
    found = re.search(r'<pre id="page-check"[^>]*>(.*?)</pre>', dom, flags=re.S)
    if not found:
        raise RuntimeError(f"Chromium did not run the page check on {page}")
    return json.loads(html.unescape(found.group(1)))


def read(page):
    parser = _Page()
    parser.feed(page.read_text())
    names = [name.strip() for group in parser.parameters for name in group.split(",")]
    return {"images": parser.images, "figures": parser.figures, "parameters": names, "title": parser.title}


def png_size(path):
    data = path.read_bytes()[:24]
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", data[16:24])


def expected_parameters(name):
    """The parameter names of the object an API page documents, e.g. skweight.class_weights."""
    module, _, attr = name.rpartition(".")
    obj = getattr(importlib.import_module(module), attr)
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return []
    skip = {"self", "args", "kwargs"}
    return [p.name for p in signature.parameters.values() if p.name not in skip and p.kind != p.VAR_KEYWORD]


def check_gallery(root, facts, key="images"):
    problems = []
    for page, seen in facts.items():
        if not seen[key]:
            problems.append(f"{page.name}: no figure on the page")
        for image in seen[key]:
            path = (page.parent / image["src"]).resolve()
            size = png_size(path) if path.exists() else None
            if not size or 0 in size:
                problems.append(f"{page.name}: figure {image['src']} is missing or empty")
            if image["shown"] is not None and 0 in image["shown"]:
                problems.append(f"{page.name}: figure {image['src']} is laid out at {image['shown']} px")
            if image["natural"] is not None and 0 in image["natural"]:
                problems.append(f"{page.name}: figure {image['src']} did not load in the browser")
    return problems


def check_api(facts):
    problems, known = [], []
    for page, seen in facts.items():
        gaps = KNOWN_GAPS.get(page.stem, set())
        wanted = [p for p in expected_parameters(page.stem) if p not in gaps]
        if wanted and not seen["parameters"]:
            problems.append(f"{page.name}: no Parameters list")
        missing = [p for p in wanted if p not in seen["parameters"]]
        if missing:
            problems.append(f"{page.name}: Parameters does not list {missing}")
        listed = sorted(gaps & set(seen["parameters"]))
        known.append(f"{page.name}: known gap {sorted(gaps - set(listed))}" if gaps - set(listed) else None)
        if listed:
            known.append(f"{page.name}: {listed} are listed now; remove them from KNOWN_GAPS")
    return problems, [k for k in known if k]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", nargs="?", default=str(pathlib.Path(__file__).parent / "_build" / "html"))
    parser.add_argument("--screenshots", help="folder for a PNG of each checked page")
    parser.add_argument("--static", action="store_true", help="check the HTML files without a browser")
    parser.add_argument("--chromium", help="the Chromium binary (default: chromium on PATH)")
    args = parser.parse_args(argv)

    root = pathlib.Path(args.html).resolve()
    gallery = sorted((root / "auto_examples").glob("plot_*.html"))
    api = sorted(p for p in (root / "generated").glob("skweight*.html"))
    if not gallery or not api:
        print(f"check_pages: no gallery or API pages under {root}; build the site first", file=sys.stderr)
        return 1

    chromium = None if args.static else find_chromium(args.chromium)
    if not args.static and chromium is None:
        print("check_pages: no Chromium found (apt-get install chromium); checking the HTML files only")
    shots = pathlib.Path(args.screenshots) if args.screenshots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)

    def one(page):
        if not chromium:
            return read(page)
        shot = shots / f"{page.parent.name}-{page.stem}.png" if shots else None
        with tempfile.TemporaryDirectory() as profile:  # one profile per browser: they lock it
            return look(chromium, page, profile, shot)

    figures = [root / "benchmarks.html"]
    pages = [*gallery, *api, *figures]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:  # two browsers at a time
        facts = dict(zip(pages, pool.map(one, pages)))

    api_problems, known = check_api({p: facts[p] for p in api})
    problems = check_gallery(root, {p: facts[p] for p in gallery}) + api_problems
    problems += check_gallery(root, {p: facts[p] for p in figures}, key="figures")
    how = "in Chromium" if chromium else "in the HTML files"
    for page in gallery:
        shown = [tuple(i["shown"]) if i["shown"] else "?" for i in facts[page]["images"]]
        print(f"gallery  {page.name}: {len(facts[page]['images'])} figure(s) {how}, shown at {shown}")
    for page in api:
        print(f"api      {page.name}: {len(facts[page]['parameters'])} parameter(s) listed")
    for page in figures:
        shown = [tuple(i["shown"]) if i["shown"] else "?" for i in facts[page]["figures"]]
        print(f"figures  {page.name}: {len(facts[page]['figures'])} figure(s) {how}, shown at {shown}")
    for note in known:
        print(f"note     {note}")
    for problem in problems:
        print(f"PROBLEM  {problem}")
    print(
        f"check_pages: {len(gallery)} gallery, {len(api)} API and {len(figures)} benchmark pages looked at {how}; "
        f"{len(problems)} problem(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
