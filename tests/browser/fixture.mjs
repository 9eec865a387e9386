// The hostile-text fixture of the browser test: a FICTIONAL plain-text
// review whose text holds markup that must be shown as text, never run or
// rendered. run.sh writes it into a temporary input folder
// (`node fixture.mjs DIR`) and builds it with the sample corpus; e2e.mjs
// imports the strings it checks for.
//
// Plain text, not Markdown: the Markdown reader strips inline HTML tags
// such as <b>, so they would never reach the page to be tested.

import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const HOSTILE_FILE = "dhr-hostile-text-fictional-2024.txt";
/** A word found only in the fixture, to search for it. */
export const HOSTILE_WORD = "Brynffug";
export const SCRIPT = "<script>alert('x')</script>";
export const IMG = "<img src=x onerror=alert(1)>";
export const BOLD = "<b>bold</b>";
export const HOSTILE_TITLE = `FICTIONAL EXAMPLE: Domestic Homicide Review ${BOLD} ${SCRIPT}`;

export const HOSTILE_TEXT = `${HOSTILE_TITLE}

FICTIONAL EXAMPLE – for testing ystorfa – not a real case. The household, its people and every agency named here are invented.

1. Introduction

This fictional review of the ${HOSTILE_WORD} household checks that text is shown as text: ${SCRIPT} and ${IMG} and ${BOLD} must appear literally.

2. Analysis

The ${HOSTILE_WORD} review panel found coercive control ${SCRIPT} in the relationship; ${IMG} ${BOLD}.

3. Recommendations

1. Glanmor Police should record ${BOLD} coercive control ${SCRIPT} at every ${HOSTILE_WORD} incident.
`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error("usage: node fixture.mjs DIR");
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, HOSTILE_FILE), HOSTILE_TEXT);
}
