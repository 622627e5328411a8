"""The design-doc snippet (issue 11): ``costbook run`` writes ``outputs/<topic>/<scenario>.md``.

Rendered to HTML with the ``markdown`` library (as a design-doc tool or a Markdown viewer would), then
parsed: every image resolves to a PNG file beside the snippet at twice the pixel size of its SVG, every
link resolves relative to the snippet's folder, the headline table's figures are the results JSON's
(label, and the value formatted from the JSON's number with its declared unit), the recommendation is
there, money renders as money, and the provenance names the params file and its hash.
"""

from __future__ import annotations

import html
import json
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from costlib import params

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "params").glob("*/*.yaml"))

pytestmark = pytest.mark.scenario

#: Figures as a reader sees them, written out by hand (not formatted by costlib): streaming_margin's
#: margin (0.12 - 0.10) / 0.12 = 16.7%, pricing floor 0.10 / 0.8 = $0.125, cost $10M a month, 10x volume
#: costing 6.73973x (the arithmetic is in tests/test_workbook_unit_economics.py::test_streaming_margin).
#: A change of house style updates these strings; a wrong figure or unit fails them.
LITERAL = {"unit_economics/streaming_margin": {"gross_margin": "16.7%",
                                               "pricing_floor_usd_per_stream": "$0.125 per stream",
                                               "cost_usd_per_month": "$10.00M/month",
                                               "cost_multiplier_at_10x_volume": "6.74x"}}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images, self.links, self.cells, self.text = [], [], [], []
        self._row, self._in_cell = None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        elif tag == "a":
            self.links.append(attrs.get("href"))
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._in_cell = True
            self._row.append("")

    def handle_endtag(self, tag):
        if tag == "tr" and self._row is not None:
            self.cells.append(self._row)
            self._row = None
        elif tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_cell:
            self._row[-1] += data


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def _svg_size(path: Path) -> tuple[float, float]:
    found = re.search(r'<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"', path.read_text(encoding="utf-8"))
    return float(found.group(1)), float(found.group(2))


@pytest.fixture(scope="module")
def reports(batch):
    outputs, code, log = batch
    assert code == 0, log
    return outputs


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_markdown_snippet_renders_with_its_images_and_the_json_figures(reports, path):
    folder = reports / path.parent.name
    results = json.loads((folder / f"{path.stem}.json").read_text(encoding="utf-8"))
    source = (folder / results["exports"]["markdown"]).read_text(encoding="utf-8")
    page = Page()
    page.feed(markdown.markdown(source, extensions=["tables"]))
    text = "".join(page.text)

    # The key charts, as PNG at twice the pixel density of the SVG beside each.
    assert page.images, "no chart"
    assert [i["src"] for i in page.images] == results["exports"]["png"]
    for image in page.images:
        png = folder / image["src"]
        assert png.is_file(), image["src"]
        svg = png.with_suffix(".svg")
        assert svg.is_file() and Path(svg.name).name in {Path(c).name for c in results["charts"]}
        (w, h), (sw, sh) = _png_size(png), _svg_size(svg)
        assert abs(w - 2 * sw) <= 2 and abs(h - 2 * sh) <= 2, (image["src"], (w, h), (sw, sh))
        assert image.get("alt")

    # Links relative to the snippet's folder, all resolving: the SVGs, the HTML report, the spreadsheet.
    assert page.links
    for href in page.links:
        assert "://" not in href and not href.startswith("/"), href
        assert (folder / href).is_file(), href
    assert f"{path.stem}.html" in page.links and f"{path.stem}.xlsx" in page.links

    # The headline table: the JSON's figures, each value formatted from the JSON's number and unit.
    # The value carries its unit ("$5.63M", "25.1%", "month 27"): no column of unit keys (issue 21).
    table = [row for row in page.cells if len(row) == 2]
    assert table[0] == ["Figure", "Value"]
    rows = table[1:]
    assert len(rows) == len(results["figures"])
    for (label, shown), f in zip(rows, results["figures"]):
        assert (label, shown) == (f["label"], f["text"])
        if f["value"] is None and f["unit"] == "month":  # "never within <the analysis's horizon> months"
            assert shown.startswith("never"), f["key"]
    literal = LITERAL.get(f"{path.parent.name}/{path.stem}", {})
    shown_by_key = {f["key"]: shown for (_, shown), f in zip(rows, results["figures"])}
    for key, want in literal.items():
        assert shown_by_key[key] == want, key

    # Money is money (the dollar sign survives rendering), the title and the recommendation are there.
    assert text.count("$") >= sum("$" in f["text"] for f in results["figures"])
    assert results["title"].split(":")[0][:30] in text
    # user strings in the recommendation are entities (`report.escape`): the reader sees the characters
    first = html.unescape(re.sub(r"[*_`]", "", results["recommendation"].split("\n")[0]))[:40]
    assert first.replace("\\$", "$") in text.replace("\n", " ")

    # One-line provenance with the params file and its hash.
    prov = results["provenance"]
    assert prov["params_file"] in text and prov["params_sha256"][:12] in text
    assert params.sha256_of(path)[:12] == prov["params_sha256"][:12]

