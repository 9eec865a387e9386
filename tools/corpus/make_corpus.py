#!/usr/bin/env python3
"""Build the fictional sample corpus: tools/corpus/sources/*.src -> corpus/*.pdf.

Each source is a small line-oriented text format (described in
tools/corpus/README.md). This script turns it into a Flat ODF text document
(.fodt) in a temporary directory and asks LibreOffice (`soffice --headless`)
to convert it to PDF. Python 3 standard library only.

Usage:  python3 tools/corpus/make_corpus.py [NAME ...]
        (no NAME: build every source; run from anywhere)
"""

import hashlib
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCES = HERE / "sources"
OUT = ROOT / "corpus"
if "--holdout" in sys.argv:
    # The blind held-out set (eval/holdout/README.md): never in corpus/.
    SOURCES = HERE / "sources" / "holdout"
    OUT = ROOT / "eval" / "holdout" / "docs"

FICTION = "FICTIONAL EXAMPLE \u2013 for testing ystorfa \u2013 not a real case"
TEXT_WIDTH_CM = 16.0
TEXT_WIDTH_LAND_CM = 24.7


def esc(s):
    return html.escape(s, quote=True)


INLINE = re.compile(r"\^\[(?P<fn>[^\]]+)\]|\*\*(?P<b>.+?)\*\*|\*(?P<i>[^*\s][^*]*?)\*")


class Doc:
    def __init__(self):
        self.meta = {"title": "", "short": "", "class": "OFFICIAL", "date": "2024-01-01"}
        self.body = []
        self.headings = []  # (level, text)
        self.notes = 0
        self.lang = "en"  # %lang: "cy" gives Welsh-tagged, unhyphenated body paragraphs
        self.landscape = False  # %landscape ... %portrait
        self.used = set()  # optional style groups this document needs (see OPTIONAL)
        self.in_form = False

    # ---- inline text -------------------------------------------------
    def inline(self, s):
        s = s.replace("\\-", "\u00ad")
        out, pos = [], 0
        for m in INLINE.finditer(s):
            out.append(esc(s[pos:m.start()]))
            if m.group("fn") is not None:
                self.notes += 1
                n = self.notes
                out.append(
                    f'<text:note text:id="ftn{n}" text:note-class="footnote">'
                    f"<text:note-citation>{n}</text:note-citation><text:note-body>"
                    f'<text:p text:style-name="Footnote">{esc(m.group("fn"))}</text:p>'
                    f"</text:note-body></text:note>"
                )
            elif m.group("b") is not None:
                out.append(f'<text:span text:style-name="T_B">{esc(m.group("b"))}</text:span>')
            else:
                out.append(f'<text:span text:style-name="T_I">{esc(m.group("i"))}</text:span>')
            pos = m.end()
        out.append(esc(s[pos:]))
        return "".join(out).replace("  ", " <text:s/>")

    def p(self, style, text):
        self.body.append(f'<text:p text:style-name="{self.st(style)}">{self.inline(text)}</text:p>')

    def st(self, style):
        """The Welsh variant of a body style while %lang cy is in force."""
        if style in ("Hang", "Hang2"):
            self.used.add("hang")
        if self.lang == "cy" and style in ("Body", "Indent", "Quote", "ListPara", "Hang", "Hang2"):
            self.used.add("cy")
            return style + "Cy"
        if self.in_form and style in ("Body", "Indent", "Quote", "ListPara", "Hang", "Hang2"):
            # LibreOffice sets a line-end hyphen in a justified table cell apart
            # from its word ("Ser -"), so text in %form cells is not hyphenated
            self.used.add("formtext")
            return style + "F"
        return style

    def hang(self, style, line):
        """A hanging-indent paragraph: its first word (the label, e.g. "4." or "(a)") then a tab."""
        label, _, rest = line.partition(" ")
        self.body.append(
            f'<text:p text:style-name="{self.st(style)}">{self.inline(label)}<text:tab/>{self.inline(rest.strip())}</text:p>'
        )

    def width(self):
        return TEXT_WIDTH_LAND_CM if self.landscape else TEXT_WIDTH_CM


def parse(src_text):
    d = Doc()
    lines = src_text.splitlines()
    i = 0
    para = []
    bullets = []
    in_cover = False
    form = None  # state of an open %form: {"row": bool, "cell": bool}
    if not any(ln.startswith("%cover") for ln in lines):
        # no cover page: the first page already has the running header and footer
        d.body.append('<text:p text:style-name="BodyStart"/>')

    def flush_para():
        nonlocal para
        if para:
            d.p("Body", " ".join(x.strip() for x in para))
            para = []

    def flush_bullets():
        nonlocal bullets
        if bullets:
            d.body.append('<text:list text:style-name="L_Bullet">')
            for b in bullets:
                d.body.append(
                    f'<text:list-item><text:p text:style-name="{d.st("ListPara")}">{d.inline(b)}</text:p></text:list-item>'
                )
            d.body.append("</text:list>")
            bullets = []

    def flush():
        flush_para()
        flush_bullets()

    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if line.startswith("%%"):  # comment
            continue
        if line.startswith("%") and not line.startswith("%%"):
            flush()
            parts = line[1:].split(None, 1)
            cmd = parts[0]
            arg = parts[1] if len(parts) > 1 else ""
            if cmd in ("title", "short", "class", "date"):
                d.meta[cmd] = arg
            elif cmd == "cover":
                in_cover = True
                d.body.append('<text:p text:style-name="CoverFirst"/>')
            elif cmd == "endcover":
                in_cover = False
                d.body.append('<text:p text:style-name="BodyStart"/>')
            elif cmd == "contents":
                d.body.append("@@CONTENTS@@")
            elif cmd == "pagebreak":
                d.body.append('<text:p text:style-name="PageBreak"/>')
            elif cmd == "columns":
                d.body.append('<text:section text:style-name="Sect2" text:name="TwoColumns%d">' % len(d.body))
            elif cmd == "endcolumns":
                d.body.append("</text:section>")
            elif cmd == "box":
                d.body.append(
                    '<table:table table:name="Box%d" table:style-name="BoxTable">'
                    '<table:table-column table:style-name="BoxCol"/><table:table-row>'
                    '<table:table-cell table:style-name="BoxCell" office:value-type="string">' % len(d.body)
                )
                if arg:
                    d.p("BoxTitle", arg)
            elif cmd == "endbox":
                d.body.append("</table:table-cell></table:table-row></table:table>")
            elif cmd == "table":
                words = arg.split()
                header = "noheader" not in words[1:]
                widths = [float(w) for w in words[0].split(",")] if words and words[0] != "noheader" else None
                rows = []
                while i < len(lines) and lines[i].strip().startswith("|"):
                    rows.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
                    i += 1
                emit_table(d, rows, widths, header)
            elif cmd == "form":
                # a ruled table whose cells hold ordinary content (paragraphs,
                # lists); %row starts a row, %cell the next cell, %endform ends it
                widths = [float(w) for w in arg.split(",")]
                tid = len(d.body)
                d.styles_extra = getattr(d, "styles_extra", [])
                cols = []
                for k, w in enumerate(widths):
                    name = f"Tc{tid}_{k}"
                    cm = d.width() * w / sum(widths)
                    d.styles_extra.append(
                        f'<style:style style:name="{name}" style:family="table-column">'
                        f'<style:table-column-properties style:column-width="{cm:.2f}cm"/></style:style>'
                    )
                    cols.append(f'<table:table-column table:style-name="{name}"/>')
                d.used.add("form")
                tstyle = "TblL" if d.landscape else "Tbl"
                d.body.append(f'<table:table table:name="Form{tid}" table:style-name="{tstyle}">' + "".join(cols))
                form = {"row": False, "cell": False}
                d.in_form = True
            elif cmd in ("row", "cell"):
                if form is None:
                    raise SystemExit(f"%{cmd} outside %form")
                if form["cell"]:
                    d.body.append("</table:table-cell>")
                    form["cell"] = False
                if cmd == "row":
                    if form["row"]:
                        d.body.append("</table:table-row>")
                    d.body.append("<table:table-row>")
                    form["row"] = True
                else:
                    style = "FormCellShade" if arg == "shaded" else "FormCell"
                    d.body.append(f'<table:table-cell table:style-name="{style}" office:value-type="string">')
                    form["cell"] = True
            elif cmd == "endform":
                if form["cell"]:
                    d.body.append("</table:table-cell>")
                if form["row"]:
                    d.body.append("</table:table-row>")
                d.body.append("</table:table>")
                form = None
                d.in_form = False
            elif cmd == "lang":
                d.lang = arg.strip()
            elif cmd == "landscape":
                d.landscape = True
                d.used.add("landscape")
                d.body.append('<text:p text:style-name="LandStart"/>')
            elif cmd == "portrait":
                d.landscape = False
                d.body.append('<text:p text:style-name="PortStart"/>')
            else:
                raise SystemExit(f"unknown directive %{cmd}")
            continue
        if in_cover:
            if line.startswith("=T "):
                d.p("CoverTitle", line[3:])
            elif line.startswith("=S "):
                d.p("CoverSub", line[3:])
            elif line.startswith("=B "):
                d.p("CoverBox", line[3:])
            elif line.startswith("=L "):
                d.p("CoverLine", line[3:])
            elif line.strip() == "":
                d.p("CoverLine", "")
            continue
        if not line.strip():
            flush()
            continue
        m = re.match(r"^(#{1,3}) (.*)$", line)
        if m:
            flush()
            lvl = len(m.group(1))
            text = m.group(2)
            d.headings.append((lvl, text))
            d.body.append(
                f'<text:h text:style-name="H{lvl}" text:outline-level="{lvl}">{d.inline(text)}</text:h>'
            )
            continue
        if line.startswith("- "):
            flush_para()
            bullets.append(line[2:].strip())
            continue
        if line.startswith("  ") and bullets:
            bullets[-1] += " " + line.strip()
            continue
        if line.startswith("+ "):  # hanging-indent numbered paragraph: "+ 4. text"
            flush()
            d.hang("Hang", line[2:].strip())
            continue
        if line.startswith("++ "):  # hanging-indent sub-item: "++ (a) text"
            flush()
            d.hang("Hang2", line[3:].strip())
            continue
        if line.startswith("> "):  # indented paragraph, e.g. (a) sub-items
            flush()
            d.p("Indent", line[2:].strip())
            continue
        if line.startswith(">> "):
            flush()
            d.p("Quote", line[3:].strip())
            continue
        flush_bullets()
        para.append(line)
    flush()
    toc = [(l, t) for l, t in d.headings if l <= 2 and not t.lower().startswith(("contents", "cynnwys"))]
    d.toc = [t for _, t in toc]
    contents = "".join(
        f'<text:p text:style-name="{"Contents1" if l == 1 else "Contents2"}">'
        f"{d.inline(t)}<text:tab/>@@PG{k}@@</text:p>"
        for k, (l, t) in enumerate(toc)
    )
    d.body = [contents if b == "@@CONTENTS@@" else b for b in d.body]
    return d


def emit_table(d, rows, widths, header=True):
    n = max(len(r) for r in rows)
    if not widths or len(widths) != n:
        widths = [1.0] * n
    tot = sum(widths)
    tid = len(d.body)
    d.styles_extra = getattr(d, "styles_extra", [])
    cols = []
    for k, w in enumerate(widths):
        name = f"Tc{tid}_{k}"
        cm = d.width() * w / tot
        d.styles_extra.append(
            f'<style:style style:name="{name}" style:family="table-column">'
            f'<style:table-column-properties style:column-width="{cm:.2f}cm"/></style:style>'
        )
        cols.append(f'<table:table-column table:style-name="{name}"/>')
    tstyle = "TblL" if d.landscape else "Tbl"
    out = [f'<table:table table:name="Table{tid}" table:style-name="{tstyle}">', "".join(cols)]
    for ri, r in enumerate(rows):
        r = r + [""] * (n - len(r))
        head = header and ri == 0
        if head:
            out.append("<table:table-header-rows>")
        out.append("<table:table-row>")
        for c in r:
            style = "TblHead" if head else "TblText"
            cell = "CellHead" if head else "Cell"
            paras = "".join(f'<text:p text:style-name="{style}">{d.inline(x)}</text:p>' for x in c.split(" // "))
            out.append(f'<table:table-cell table:style-name="{cell}" office:value-type="string">{paras}</table:table-cell>')
        out.append("</table:table-row>")
        if head:
            out.append("</table:table-header-rows>")
    out.append("</table:table>")
    d.body.append("".join(out))


STYLES = """
<office:font-face-decls>
 <style:font-face style:name="Liberation Sans" svg:font-family="'Liberation Sans'" style:font-family-generic="swiss"/>
 <style:font-face style:name="Liberation Serif" svg:font-family="'Liberation Serif'" style:font-family-generic="roman"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:paragraph-properties fo:hyphenation-ladder-count="no-limit"/>
  <style:text-properties style:font-name="Liberation Sans" fo:font-size="12pt" fo:language="en" fo:country="GB" fo:hyphenate="false"/>
 </style:default-style>
 <style:style style:name="Standard" style:family="paragraph"/>
 <style:style style:name="Body" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0.25cm" fo:line-height="130%" fo:text-align="justify"/>
  <style:text-properties fo:hyphenate="true" fo:hyphenation-remain-char-count="3" fo:hyphenation-push-char-count="3"/>
 </style:style>
 <style:style style:name="BodyStart" style:family="paragraph" style:parent-style-name="Body" style:master-page-name="Main">
  <style:paragraph-properties style:page-number="auto"/>
 </style:style>
 <style:style style:name="PageBreak" style:family="paragraph" style:parent-style-name="Body">
  <style:paragraph-properties fo:break-before="page"/>
 </style:style>
 <style:style style:name="Indent" style:family="paragraph" style:parent-style-name="Body">
  <style:paragraph-properties fo:margin-left="1.0cm"/>
 </style:style>
 <style:style style:name="Quote" style:family="paragraph" style:parent-style-name="Body">
  <style:paragraph-properties fo:margin-left="1.0cm" fo:margin-right="1.0cm"/>
  <style:text-properties fo:font-style="italic"/>
 </style:style>
 <style:style style:name="ListPara" style:family="paragraph" style:parent-style-name="Body">
  <style:paragraph-properties fo:margin-bottom="0.12cm"/>
 </style:style>
 <style:style style:name="H1" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="1">
  <style:paragraph-properties fo:margin-top="0.5cm" fo:margin-bottom="0.25cm" fo:keep-with-next="always"/>
  <style:text-properties fo:font-size="15pt" fo:font-weight="bold" fo:color="#1F3864"/>
 </style:style>
 <style:style style:name="H2" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="2">
  <style:paragraph-properties fo:margin-top="0.35cm" fo:margin-bottom="0.2cm" fo:keep-with-next="always"/>
  <style:text-properties fo:font-size="13pt" fo:font-weight="bold" fo:color="#1F3864"/>
 </style:style>
 <style:style style:name="H3" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="3">
  <style:paragraph-properties fo:margin-top="0.25cm" fo:margin-bottom="0.15cm" fo:keep-with-next="always"/>
  <style:text-properties fo:font-size="11.5pt" fo:font-weight="bold" fo:font-style="italic"/>
 </style:style>
 <style:style style:name="CoverFirst" style:family="paragraph" style:master-page-name="Cover">
  <style:paragraph-properties fo:margin-top="2cm"/>
 </style:style>
 <style:style style:name="CoverTitle" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center" fo:margin-top="0.4cm" fo:margin-bottom="0.4cm"/>
  <style:text-properties fo:font-size="22pt" fo:font-weight="bold" fo:color="#1F3864"/>
 </style:style>
 <style:style style:name="CoverSub" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.3cm"/>
  <style:text-properties fo:font-size="15pt"/>
 </style:style>
 <style:style style:name="CoverLine" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.2cm"/>
  <style:text-properties fo:font-size="12pt"/>
 </style:style>
 <style:style style:name="CoverBox" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center" fo:margin-top="0.6cm" fo:padding="0.3cm" fo:border="1.5pt solid #C00000" fo:background-color="#FDECEC"/>
  <style:text-properties fo:font-size="13pt" fo:font-weight="bold" fo:color="#C00000"/>
 </style:style>
 <style:style style:name="Contents1" style:family="paragraph">
  <style:paragraph-properties fo:margin-bottom="0.12cm">
   <style:tab-stops><style:tab-stop style:position="16cm" style:type="right" style:leader-style="dotted" style:leader-text="."/></style:tab-stops>
  </style:paragraph-properties>
  <style:text-properties fo:font-size="11pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="Contents2" style:family="paragraph">
  <style:paragraph-properties fo:margin-left="0.8cm" fo:margin-bottom="0.08cm">
   <style:tab-stops><style:tab-stop style:position="15.2cm" style:type="right" style:leader-style="dotted" style:leader-text="."/></style:tab-stops>
  </style:paragraph-properties>
  <style:text-properties fo:font-size="10.5pt"/>
 </style:style>
 <style:style style:name="Header" style:family="paragraph">
  <style:paragraph-properties fo:border-bottom="0.5pt solid #808080" fo:padding-bottom="0.1cm">
   <style:tab-stops><style:tab-stop style:position="16cm" style:type="right"/></style:tab-stops>
  </style:paragraph-properties>
  <style:text-properties fo:font-size="9pt" fo:color="#404040"/>
 </style:style>
 <style:style style:name="Footer" style:family="paragraph">
  <style:paragraph-properties fo:border-top="0.5pt solid #808080" fo:padding-top="0.1cm">
   <style:tab-stops><style:tab-stop style:position="16cm" style:type="right"/></style:tab-stops>
  </style:paragraph-properties>
  <style:text-properties fo:font-size="9pt" fo:color="#404040"/>
 </style:style>
 <style:style style:name="Footnote" style:family="paragraph">
  <style:paragraph-properties fo:margin-left="0.4cm" fo:text-indent="-0.4cm"/>
  <style:text-properties fo:font-size="8.5pt"/>
 </style:style>
 <style:style style:name="TblText" style:family="paragraph">
  <style:text-properties fo:font-size="9.5pt"/>
 </style:style>
 <style:style style:name="TblHead" style:family="paragraph">
  <style:text-properties fo:font-size="9.5pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="BoxTitle" style:family="paragraph" style:parent-style-name="Body">
  <style:text-properties fo:font-weight="bold" fo:color="#1F3864"/>
 </style:style>
 <style:style style:name="T_B" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="T_I" style:family="text"><style:text-properties fo:font-style="italic"/></style:style>
 <text:notes-configuration text:note-class="footnote" style:num-format="1" text:start-value="0" text:footnotes-position="page" text:start-numbering-at="document"/>
 <text:list-style style:name="L_Bullet">
  <text:list-level-style-bullet text:level="1" text:bullet-char="\u2022">
   <style:list-level-properties text:list-level-position-and-space-mode="label-alignment">
    <style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="0.9cm" fo:text-indent="-0.5cm" fo:margin-left="0.9cm"/>
   </style:list-level-properties>
  </text:list-level-style-bullet>
 </text:list-style>@@OPTSTYLES@@
</office:styles>
"""

AUTO = """
<office:automatic-styles>
 <style:page-layout style:name="PL">
  <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="1.2cm" fo:margin-bottom="1.2cm" fo:margin-left="2.5cm" fo:margin-right="2.5cm"/>
  <style:header-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-bottom="0.5cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-top="0.5cm"/></style:footer-style>
 </style:page-layout>
 <style:page-layout style:name="PLCover">
  <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="2.5cm" fo:margin-bottom="2cm" fo:margin-left="2.5cm" fo:margin-right="2.5cm"/>
 </style:page-layout>
 <style:style style:name="Sect2" style:family="section">
  <style:section-properties text:dont-balance-text-columns="false">
   <style:columns fo:column-count="2" fo:column-gap="0.8cm"/>
  </style:section-properties>
 </style:style>
 <style:style style:name="Tbl" style:family="table">
  <style:table-properties style:width="16cm" table:align="left" fo:margin-top="0.15cm" fo:margin-bottom="0.35cm"/>
 </style:style>
 <style:style style:name="Cell" style:family="table-cell">
  <style:table-cell-properties fo:padding="0.1cm" fo:border="0.5pt solid #606060"/>
 </style:style>
 <style:style style:name="CellHead" style:family="table-cell">
  <style:table-cell-properties fo:padding="0.1cm" fo:border="0.5pt solid #606060" fo:background-color="#D9E2F3"/>
 </style:style>
 <style:style style:name="BoxTable" style:family="table">
  <style:table-properties style:width="16cm" table:align="left" fo:margin-top="0.2cm" fo:margin-bottom="0.4cm"/>
 </style:style>
 <style:style style:name="BoxCol" style:family="table-column">
  <style:table-column-properties style:column-width="16cm"/>
 </style:style>
 <style:style style:name="BoxCell" style:family="table-cell">
  <style:table-cell-properties fo:padding="0.3cm" fo:border="1pt solid #2F5496" fo:background-color="#EEF3FA"/>
 </style:style>
 @@EXTRA@@@@OPTAUTO@@
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Cover" style:page-layout-name="PLCover" style:next-style-name="Main"/>
 <style:master-page style:name="Main" style:page-layout-name="PL">
  <style:header><text:p text:style-name="Header">@@SHORT@@<text:tab/>@@CLASS@@</text:p></style:header>
  <style:footer><text:p text:style-name="Footer">@@FICTION@@<text:tab/>Page <text:page-number text:select-page="current">1</text:page-number> of <text:page-count>1</text:page-count></text:p></style:footer>
 </style:master-page>@@OPTMASTER@@
</office:master-styles>
"""


# Style groups that only documents using them carry, so that the fodt (and the
# PDF) of a source that uses none of them is byte-identical to what earlier
# versions of this script produced.
OPTIONAL = {
    "cy": ("""
 <style:style style:name="BodyCy" style:family="paragraph" style:parent-style-name="Body">
  <style:text-properties fo:language="cy" fo:country="GB" fo:hyphenate="false"/>
 </style:style>
 <style:style style:name="IndentCy" style:family="paragraph" style:parent-style-name="Indent">
  <style:text-properties fo:language="cy" fo:country="GB" fo:hyphenate="false"/>
 </style:style>
 <style:style style:name="QuoteCy" style:family="paragraph" style:parent-style-name="Quote">
  <style:text-properties fo:language="cy" fo:country="GB" fo:hyphenate="false"/>
 </style:style>
 <style:style style:name="ListParaCy" style:family="paragraph" style:parent-style-name="ListPara">
  <style:text-properties fo:language="cy" fo:country="GB" fo:hyphenate="false"/>
 </style:style>
 <style:style style:name="HangCy" style:family="paragraph" style:parent-style-name="Hang">
  <style:text-properties fo:language="cy" fo:country="GB" fo:hyphenate="false"/>
 </style:style>
 <style:style style:name="Hang2Cy" style:family="paragraph" style:parent-style-name="Hang2">
  <style:text-properties fo:language="cy" fo:country="GB" fo:hyphenate="false"/>
 </style:style>""", "", ""),
    "hang": ("""
 <style:style style:name="Hang" style:family="paragraph" style:parent-style-name="Body">
  <style:paragraph-properties fo:margin-left="1.0cm" fo:text-indent="-1.0cm">
   <style:tab-stops><style:tab-stop style:position="0cm"/></style:tab-stops>
  </style:paragraph-properties>
 </style:style>
 <style:style style:name="Hang2" style:family="paragraph" style:parent-style-name="Body">
  <style:paragraph-properties fo:margin-left="2.0cm" fo:text-indent="-1.0cm">
   <style:tab-stops><style:tab-stop style:position="0cm"/></style:tab-stops>
  </style:paragraph-properties>
 </style:style>""", "", ""),
    "form": ("", """
 <style:style style:name="FormCell" style:family="table-cell">
  <style:table-cell-properties fo:padding-left="0.2cm" fo:padding-right="0.2cm" fo:padding-top="0.15cm" fo:padding-bottom="0.05cm" fo:border="0.75pt solid #000000"/>
 </style:style>
 <style:style style:name="FormCellShade" style:family="table-cell">
  <style:table-cell-properties fo:padding-left="0.2cm" fo:padding-right="0.2cm" fo:padding-top="0.15cm" fo:padding-bottom="0.05cm" fo:border="0.75pt solid #000000" fo:background-color="#E7E6E6"/>
 </style:style>""", ""),
    "formtext": ("".join(f"""
 <style:style style:name="{n}F" style:family="paragraph" style:parent-style-name="{n}">
  <style:text-properties fo:hyphenate="false"/>
 </style:style>""" for n in ("Body", "Indent", "Quote", "ListPara", "Hang", "Hang2")), "", ""),
    "landscape": ("""
 <style:style style:name="LandStart" style:family="paragraph" style:master-page-name="Land">
  <style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0cm" style:page-number="auto"/>
  <style:text-properties fo:font-size="2pt"/>
 </style:style>
 <style:style style:name="PortStart" style:family="paragraph" style:master-page-name="Main">
  <style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0cm" style:page-number="auto"/>
  <style:text-properties fo:font-size="2pt"/>
 </style:style>
 <style:style style:name="HeaderL" style:family="paragraph" style:parent-style-name="Header">
  <style:paragraph-properties>
   <style:tab-stops><style:tab-stop style:position="24.7cm" style:type="right"/></style:tab-stops>
  </style:paragraph-properties>
 </style:style>
 <style:style style:name="FooterL" style:family="paragraph" style:parent-style-name="Footer">
  <style:paragraph-properties>
   <style:tab-stops><style:tab-stop style:position="24.7cm" style:type="right"/></style:tab-stops>
  </style:paragraph-properties>
 </style:style>""", """
 <style:page-layout style:name="PLLand">
  <style:page-layout-properties fo:page-width="29.7cm" fo:page-height="21cm" style:print-orientation="landscape" fo:margin-top="1.2cm" fo:margin-bottom="1.2cm" fo:margin-left="2.5cm" fo:margin-right="2.5cm"/>
  <style:header-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-bottom="0.5cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-top="0.5cm"/></style:footer-style>
 </style:page-layout>
 <style:style style:name="TblL" style:family="table">
  <style:table-properties style:width="24.7cm" table:align="left" fo:margin-top="0.15cm" fo:margin-bottom="0.35cm"/>
 </style:style>""", """
 <style:master-page style:name="Land" style:page-layout-name="PLLand">
  <style:header><text:p text:style-name="HeaderL">@@SHORT@@<text:tab/>@@CLASS@@</text:p></style:header>
  <style:footer><text:p text:style-name="FooterL">@@FICTION@@<text:tab/>Page <text:page-number text:select-page="current">1</text:page-number> of <text:page-count>1</text:page-count></text:p></style:footer>
 </style:master-page>"""),
}


def fodt(d):
    date = d.meta["date"] + "T09:00:00"
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
        'office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">\n'
        f"<office:meta><dc:title>{esc(d.meta['title'])}</dc:title>"
        f"<dc:subject>{esc(FICTION)}</dc:subject>"
        f"<meta:initial-creator>ystorfa corpus generator</meta:initial-creator>"
        f"<meta:creation-date>{date}</meta:creation-date><dc:date>{date}</dc:date>"
        f"<meta:generator>ystorfa make_corpus.py</meta:generator></office:meta>\n"
    )
    if "cy" in d.used:
        d.used.add("hang")  # the Welsh styles include HangCy/Hang2Cy
    if "formtext" in d.used:
        d.used.add("hang")  # the form styles include HangF/Hang2F
    used = [OPTIONAL[k] for k in ("cy", "hang", "form", "formtext", "landscape") if k in d.used]
    styles = STYLES.replace("@@OPTSTYLES@@", "".join(u[0] for u in used))
    auto = (
        AUTO.replace("@@EXTRA@@", "\n".join(getattr(d, "styles_extra", [])))
        .replace("@@OPTAUTO@@", "".join(u[1] for u in used))
        .replace("@@OPTMASTER@@", "".join(u[2] for u in used))
        .replace("@@SHORT@@", esc(d.meta["short"]))
        .replace("@@CLASS@@", esc(d.meta["class"]))
        .replace("@@FICTION@@", esc(FICTION))
    )
    body = "<office:body><office:text>\n" + "\n".join(d.body) + "\n</office:text></office:body>"
    return head + styles + auto + body + "\n</office:document>\n"


def fix_pdf(pdf, name, date):
    """Make the PDF bytes reproducible: fixed dates and a fixed /ID (same lengths)."""
    data = pdf.read_bytes()
    stamp = "D:" + date.replace("-", "") + "090000"

    def repl_date(m):
        old = m.group(2)
        new = stamp.encode()
        new = (new + b"Z" + b"0" * 20)[: len(old)] if len(new) < len(old) else new[: len(old)]
        return m.group(1) + new + m.group(3)

    data = re.sub(rb"(/(?:CreationDate|ModDate)\s*\()([^)]*)(\))", repl_date, data)
    digest = hashlib.sha256(name.encode()).hexdigest().upper().encode()

    def repl_id(m):
        n = len(m.group(2))
        return m.group(1) + digest[:n] + m.group(3) + digest[:n] + m.group(5)

    data = re.sub(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]+)(>\s*<)([0-9A-Fa-f]+)(>)", repl_id, data)
    data = re.sub(
        rb"(/DocChecksum\s*/)([0-9A-Fa-f]+)",
        lambda m: m.group(1) + digest[-len(m.group(2)):],
        data,
    )
    pdf.write_bytes(data)


def render(d, name, soffice, tmp, pages):
    """One LibreOffice run; `pages` fills the contents page numbers."""
    xml = fodt(d)
    for k in range(len(d.toc)):
        xml = xml.replace(f"@@PG{k}@@", str(pages[k]) if pages else "00")
    f = tmp / f"{name}.fodt"
    f.write_text(xml, encoding="utf-8")
    profile = tmp / "profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(tmp), str(f)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    pdf = tmp / f"{name}.pdf"
    if not pdf.exists():
        raise SystemExit(f"LibreOffice produced no PDF for {name}")
    return pdf, f


def heading_pages(pdf, toc):
    """Physical page of each contents heading, found in the first render's text."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [[re.sub(r"\s+", " ", ln).strip() for ln in p.splitlines()] for p in text.split("\f")]
    plain = [re.sub(r"\*\*|\^\[[^\]]*\]", "", t).replace("\\-", "") for t in toc]
    # start after the contents page itself
    start = next((i for i, p in enumerate(pages) if any(ln in ("Contents", "Cynnwys / Contents") for ln in p)), 0) + 1
    out, cur = [], start
    for t in plain:
        key = t[:40]
        found = next((i for i in range(cur, len(pages)) if any(ln.startswith(key) for ln in pages[i])), None)
        if found is None:
            raise SystemExit(f"heading not found in PDF text: {t}")
        out.append(found + 1)
        cur = found
    return out


def build(name, soffice):
    src = SOURCES / f"{name}.src"
    d = parse(src.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pdf, f = render(d, name, soffice, tmp, None)
        if d.toc:
            pdf, f = render(d, name, soffice, tmp, heading_pages(pdf, d.toc))
        fix_pdf(pdf, name, d.meta["date"])
        OUT.mkdir(exist_ok=True)
        shutil.copyfile(pdf, OUT / f"{name}.pdf")
        if "--keep-fodt" in sys.argv:
            shutil.copyfile(f, Path("/tmp") / f"{name}.fodt")
    print(f"{OUT.relative_to(ROOT)}/{name}.pdf")


def main():
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("soffice not found: apt-get install libreoffice-writer-nogui")
    names = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not names:
        names = sorted(p.stem for p in SOURCES.glob("*.src"))
    for n in names:
        build(n, soffice)


if __name__ == "__main__":
    main()
