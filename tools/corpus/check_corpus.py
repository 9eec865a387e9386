#!/usr/bin/env python3
"""Check the generated fictional corpus against its labels (needs poppler-utils).

For every eval/labels/*.toml: the PDF exists; every page but the cover has the
fictional notice, the classification header and "Page X of Y"; every labelled
recommendation's opening words occur in the text (whitespace normalised).
Python 3.11+ standard library only. Exit status 1 on any failure.

Usage: python3 tools/corpus/check_corpus.py
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FICTION = "FICTIONAL EXAMPLE \u2013 for testing ystorfa \u2013 not a real case"


def main():
    bad = 0
    for label in sorted((ROOT / "eval" / "labels").glob("*.toml")):
        d = tomllib.loads(label.read_text(encoding="utf-8"))
        pdf = ROOT / d["file"]
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        pages = text.split("\f")
        if pages and not pages[-1].strip():
            pages.pop()
        n = len(pages)
        problems = []
        if FICTION not in pages[0]:
            problems.append("cover lacks the fictional notice")
        for i, p in enumerate(pages[1:], start=2):
            if FICTION not in p:
                problems.append(f"page {i}: no fictional notice")
            if f"Page {i} of {n}" not in p:
                problems.append(f"page {i}: no 'Page {i} of {n}'")
            if "OFFICIAL" not in p:
                problems.append(f"page {i}: no classification header")
        # body text without the page furniture, so a recommendation that runs
        # across a page break is still found
        furniture = {FICTION}
        if n > 1:
            furniture.update([ln for ln in pages[1].splitlines() if ln.strip()][:2])
        body = "\n".join(
            ln
            for p in pages
            for ln in p.splitlines()
            if ln not in furniture and not re.fullmatch(r"Page \d+ of \d+", ln)
        )
        flat = re.sub(r"\s+", " ", body.replace("\u00ad", ""))
        for r in d.get("recommendation", []):
            if r["starts"] not in flat:
                problems.append(f"recommendation {r['ordinal']!r} not found: {r['starts']}")
        status = "ok" if not problems else "FAIL"
        print(f"{status:4} {d['file']}: {n} pages, {len(d.get('recommendation', []))} recommendations")
        for p in problems:
            print("     ", p)
        bad += bool(problems)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
