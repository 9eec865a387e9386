#!/usr/bin/env python3
"""Check the generated fictional corpus against its labels (needs poppler-utils).

For every eval/labels/*.toml:
- the PDF exists; every page but the cover has the fictional notice, the
  classification header and "Page X of Y" (a document without a cover page,
  such as a coroner's report, is checked from page 1);
- `kind` is a known kind and `area` (when given) occurs in the text;
- every labelled recommendation's opening words (`starts`) occur in the text,
  in document order, and so do its `translation_starts` (bilingual documents)
  and every name in its `addressees`;
- every `[[action]]` row is found in the action-plan table: its `starts` at the
  top of an "Action" cell, and, on the same table row, the recommendation
  number in the first column, `lead` in the "Lead" column and `target` in the
  "Target" column. Table columns are found from the header row's words, which
  must be repeated on every page the table spans.

Text is matched exactly (whitespace collapsed), or else after the
normalisation ystorfa's evaluation uses (src/eval.rs: lower case, letters and
digits only, hyphens and apostrophes dropped), since pdftotext removes the
hyphen of a compound split at a line end ("multi-" + "agency").
Python 3.11+ standard library only. Exit status 1 on any failure.

Usage: python3 tools/corpus/check_corpus.py
"""

import html
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FICTION = "FICTIONAL EXAMPLE \u2013 for testing ystorfa \u2013 not a real case"
KINDS = {"dhr", "cpr", "apr", "strategy", "pfd", "susr"}


def normalise(s):
    """The same folding as ystorfa's eval::normalise."""
    s = re.sub("[-\u2010\u2011\u00ad'\u2019\u2018]", "", s.lower())
    return " ".join(re.findall(r"[^\W_]+", s))


class Text:
    """A document's body text, flat and normalised, searched in order."""

    def __init__(self, body):
        self.flat = re.sub(r"\s+", " ", body.replace("\u00ad", ""))
        self.norm = normalise(self.flat)

    def find(self, needle, after=0):
        """(position in the normalised text or -1, matched exactly?)."""
        n = normalise(needle)
        pos = self.norm.find(n, after) if n else -1
        return pos, needle in self.flat


def body_text(pages):
    # body text without the page furniture, so a recommendation that runs
    # across a page break is still found
    furniture = {FICTION}
    if len(pages) > 1:
        furniture.update([ln for ln in pages[1].splitlines() if ln.strip()][:2])
    return "\n".join(
        ln
        for p in pages
        for ln in p.splitlines()
        if ln not in furniture and not re.fullmatch(r"Page \d+ of \d+", ln)
    )


# ---- tables: words with positions (pdftotext -bbox) ---------------------

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def pages_words(pdf):
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out = []
    for m in PAGE.finditer(xml):
        h = float(m.group(2))
        words = [
            (float(a), float(b), float(c), html.unescape(t))
            for a, b, c, _, t in WORD.findall(m.group(3))
        ]
        out.append((h, words))
    return out


def table_columns(pdf, names):
    """Column word streams of the table whose header row holds `names`.

    Returns {name: [(word, page, y)]} for each header word in `names`, plus
    "first" (the first column) and the number of pages with the header row."""
    cols = {k: [] for k in list(names) + ["first"]}
    npages = 0
    for pi, (h, words) in enumerate(pages_words(pdf)):
        lines = {}
        for x0, y0, x1, t in words:
            lines.setdefault(round(y0, 1), []).append((x0, x1, t))
        header = None
        for y, ws in sorted(lines.items()):
            texts = {t for _, _, t in ws}
            if all(n in texts for n in names):
                header = (y, sorted(ws))
                break
        if header is None:
            continue
        npages += 1
        hy, hws = header
        # a new cell starts where the gap between words is wider than a space
        starts, prev = [], None
        for x0, x1, t in hws:
            if prev is None or x0 - prev > 4.5:
                starts.append((x0, t))
            prev = x1
        col_of = {}
        for k, (x, t) in enumerate(starts):
            if k == 0:
                col_of[k] = "first"
            elif t in names:
                col_of[k] = t
        # words below the header line and above the footer, by column
        body = [w for w in words if w[1] > hy + 0.5 and w[1] < h - 50]
        per = {k: [] for k in range(len(starts))}
        for x0, y0, x1, t in body:
            k = max((i for i, (x, _) in enumerate(starts) if x <= x0 + 1.0), default=None)
            if k is not None:
                per[k].append((y0, x0, t))
        for k, ws in per.items():
            if k in col_of:
                cols[col_of[k]].extend((t, pi + 1, round(y, 1)) for y, x, t in sorted(ws))
    return cols, npages


def joined(stream):
    """Normalised text of a column stream, with the index of the word at each offset.

    A word ending in a hyphen at a line end is joined to the next word."""
    words = []
    for i, (t, p, y) in enumerate(stream):
        if words and words[-1][0].endswith(("-", "\u00ad")) and (p, y) != words[-1][2]:
            words[-1] = (words[-1][0] + t, words[-1][1], (p, y))
            continue
        words.append((t, i, (p, y)))
    text, owner = "", []
    for t, i, _ in words:
        n = normalise(t)
        if not n:
            continue
        if text:
            text += " "
            owner.append(i)
        text += n
        owner.extend([i] * len(n))
    return text, owner


def check_actions(d, pdf, problems):
    actions = d.get("action", [])
    if not actions:
        return
    names = ("Action", "Lead", "Target")
    cols, npages = table_columns(pdf, names)
    if not npages:
        problems.append("action-plan table: header row (Action / Lead / Target) not found")
        return
    streams = {k: (joined(v), v) for k, v in cols.items()}

    def cell_at(col, page, y):
        """Normalised text of the column from the word level with (page, y)."""
        (text, owner), stream = streams[col]
        for off, i in enumerate(owner):
            if stream[i][1] == page and abs(stream[i][2] - y) <= 1.0:
                return text[off:].lstrip()
        return None

    (atext, aowner), astream = streams["Action"]
    pos = 0
    for a in actions:
        label = f"action row for recommendation {a['recommendation']!r} ({a['starts']})"
        n = normalise(a["starts"])
        at = atext.find(n, pos)
        if at < 0:
            problems.append(f"{label}: action not found in the Action column (or out of order)")
            continue
        pos = at + len(n)
        _, page, y = astream[aowner[at]]
        rec = cell_at("first", page, y)
        if rec is None or not rec.startswith(normalise(a["recommendation"]) + " "):
            problems.append(f"{label}: recommendation number not on the same row")
        lead = cell_at("Lead", page, y)
        if lead is None or not lead.startswith(normalise(a["lead"])):
            problems.append(f"{label}: lead {a['lead']!r} not on the same row")
        if a.get("target"):
            tgt = cell_at("Target", page, y)
            if tgt is None or not tgt.startswith(normalise(a["target"])):
                problems.append(f"{label}: target {a['target']!r} not on the same row")


def main():
    bad = 0
    for label in sorted((ROOT / "eval" / "labels").glob("*.toml")):
        d = tomllib.loads(label.read_text(encoding="utf-8"))
        pdf = ROOT / d["file"]
        problems = []
        if not pdf.exists():
            print(f"FAIL {d['file']}: missing")
            bad += 1
            continue
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        pages = text.split("\f")
        if pages and not pages[-1].strip():
            pages.pop()
        n = len(pages)
        if d.get("kind") not in KINDS:
            problems.append(f"unknown kind {d.get('kind')!r}")
        if FICTION not in pages[0]:
            problems.append("cover lacks the fictional notice")
        # no cover page: page 1 carries the running header and footer too
        first = 1 if f"Page 1 of {n}" in pages[0] else 2
        for i, p in enumerate(pages[first - 1:], start=first):
            if FICTION not in p:
                problems.append(f"page {i}: no fictional notice")
            if f"Page {i} of {n}" not in p:
                problems.append(f"page {i}: no 'Page {i} of {n}'")
            if "OFFICIAL" not in p:
                problems.append(f"page {i}: no classification header")
        body = Text(body_text(pages))
        loose = []
        if "area" in d and d["area"] not in body.flat:
            problems.append(f"area {d['area']!r} not in the text")
        pos = 0
        tpos = 0
        for r in d.get("recommendation", []):
            at, exact = body.find(r["starts"], pos)
            if at < 0:
                problems.append(f"recommendation {r['ordinal']!r} not found (or out of order): {r['starts']}")
            else:
                pos = at + 1
                if not exact:
                    loose.append(r["starts"])
            if "translation_starts" in r:
                at, exact = body.find(r["translation_starts"], tpos)
                if at < 0:
                    problems.append(f"recommendation {r['ordinal']!r}: translation not found (or out of order): {r['translation_starts']}")
                else:
                    tpos = at + 1
                    if not exact:
                        loose.append(r["translation_starts"])
            for a in r.get("addressees", []):
                if a not in body.flat:
                    problems.append(f"recommendation {r['ordinal']!r}: addressee {a!r} not in the text")
        check_actions(d, pdf, problems)
        status = "ok" if not problems else "FAIL"
        extra = ""
        if d.get("action"):
            extra += f", {len(d['action'])} action rows"
        nt = sum("translation_starts" in r for r in d.get("recommendation", []))
        if nt:
            extra += f", {nt} translations"
        print(f"{status:4} {d['file']}: {n} pages, {len(d.get('recommendation', []))} recommendations{extra}")
        for s in loose:
            print(f"      (matched after normalisation only: {s})")
        for p in problems:
            print("     ", p)
        bad += bool(problems)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
