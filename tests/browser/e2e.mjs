// End-to-end test of the page served by `ystorfa serve`, in headless
// Chromium driven by playwright-core. Each scenario does what a person
// would do (type, press Enter, click) and checks what they would see:
// visible text, visibility, position on screen, the address.
//
//   node --test-reporter=spec e2e.mjs BASE_URL SCREENSHOT_DIR
//
// Normally started by run.sh, which builds the sample corpus plus the
// hostile fixture (fixture.mjs) and starts the server. A full-page
// screenshot is saved after every scenario, passed or failed.
// CHROMIUM overrides the browser path (default /usr/bin/chromium).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { HOSTILE_WORD, HOSTILE_TITLE, SCRIPT, IMG, BOLD } from "./fixture.mjs";

const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error("usage: node e2e.mjs BASE_URL SCREENSHOT_DIR");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const TIMEOUT = 10_000;
const PHRASE = '"coercive control"';
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

after(async () => {
  await browser?.close();
});

/**
 * One scenario in a fresh browser context. Records what would trouble a
 * person or betray a bug: dialogs (accepted so nothing hangs), console
 * errors (CSP violations land there), uncaught page errors and failed
 * responses. Fails on any of them, and saves a full-page screenshot.
 */
function scenario(name, fn) {
  test(name, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const problems = [];
    page.on("dialog", async (d) => {
      problems.push(`a ${d.type()} dialog opened: ${JSON.stringify(d.message())}`);
      await d.dismiss().catch(() => {});
    });
    page.on("console", (m) => {
      // Chromium asks for /favicon.ico on its own; the server has none
      // (a 404 a person never sees). Every other console error counts.
      if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) {
        problems.push(`console error: ${m.text()} (${m.location().url})`);
      }
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    try {
      await fn(page);
      assert.deepEqual(problems, [], `the browser reported problems on ${page.url()}`);
    } finally {
      const file = join(shots, `${name.split(" ")[0].replace(/[^a-z0-9-]/gi, "")}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch((e) => {
        console.error(`could not save screenshot ${file}: ${e.message}`);
      });
      await context.close();
    }
  });
}

/** Wait until the element is visible, failing with a plain message. */
async function seen(locator, what) {
  try {
    await locator.first().waitFor({ state: "visible", timeout: TIMEOUT });
  } catch {
    assert.fail(`${what} is not visible (${locator})`);
  }
  return locator.first();
}

/** The text as rendered (what a person reads), whitespace collapsed. */
async function text(locator) {
  return (await locator.innerText()).replace(/\s+/g, " ").trim();
}

/** Whether the element's box is at least partly inside the window. */
function inViewport(locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.bottom > 0 && r.top < window.innerHeight && r.right > 0 && r.left < window.innerWidth;
  });
}

/** Computed style properties of the element. */
function style(locator, ...props) {
  return locator.evaluate((el, props) => {
    const s = getComputedStyle(el);
    return Object.fromEntries(props.map((p) => [p, s.getPropertyValue(p)]));
  }, props);
}

const TRANSPARENT = ["rgba(0, 0, 0, 0)", "transparent"];

async function search(page, query) {
  await page.goto(base + "/");
  const box = await seen(page.locator("#q"), "the search box");
  await box.fill(query);
  await Promise.all([page.waitForURL(/\/search\?/), box.press("Enter")]);
}

/** Search for the phrase and follow the first hit's page/section link. */
async function openFirstHit(page) {
  await search(page, PHRASE);
  const where = await seen(page.locator(".hit a.where"), "the first hit's page link");
  const label = await text(where);
  await Promise.all([page.waitForURL(/\/documents\/[^/?#]+\?.*#p\d+$/), where.click()]);
  return label;
}

/** The passage the address points at (#pN), checked to be on screen and highlighted. */
async function targetPassage(page, what) {
  const hash = new URL(page.url()).hash;
  assert.match(hash, /^#p\d+$/, `the address ${page.url()} does not point at a passage`);
  const target = await seen(page.locator(hash), `the passage ${hash} (${what})`);
  assert.ok(await target.evaluate((el) => el.matches(":target")), `${hash} is not the :target`);
  assert.ok(await inViewport(target), `the passage ${hash} (${what}) is not on screen after opening the document`);
  const bg = (await style(target, "background-color"))["background-color"];
  assert.ok(!TRANSPARENT.includes(bg), `the passage ${hash} has no highlight background (got ${bg})`);
  const other = page.locator(`.text .passage.paragraph:not(:target):not(.recpassage)`).first();
  const otherBg = (await style(other, "background-color"))["background-color"];
  assert.notEqual(bg, otherBg, `the passage ${hash} looks the same as the passages around it`);
  return target;
}

let summaryA;

scenario("a-search: typing a phrase and pressing Enter shows highlighted results", async (page) => {
  await search(page, PHRASE);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get("q"), PHRASE, "the query is not in the address");
  assert.equal(await page.locator("#q").inputValue(), PHRASE, "the query box no longer shows the query");
  const summary = await seen(page.locator("#summary"), "the results summary");
  summaryA = await text(summary);
  assert.match(summaryA, /\d+ documents? (has|have) a matching passage/, "the summary does not say how much matched");
  const docs = page.locator(".results .doc");
  assert.ok((await docs.count()) >= 1, "no result is listed");
  await seen(docs.first().locator("h2 a"), "the first result's title");
  const mark = await seen(page.locator(".snippet mark"), "a highlighted word in a snippet");
  assert.match(await text(mark), /^(coercive|control)/i, "the highlighted word is not from the query");
  const bg = (await style(mark, "background-color"))["background-color"];
  assert.ok(!TRANSPARENT.includes(bg), `the highlighted word has no highlight colour (got ${bg})`);
});

scenario("b-facet: a type-of-document filter narrows to reviews of that type and is removed by its chip", async (page) => {
  await search(page, PHRASE);
  const summaryBefore = await text(page.locator("#summary"));
  const dhr = page.locator(".facet[data-facet=kind] a", { hasText: /^\s*Domestic Homicide Review\s*$/ });
  await seen(dhr, 'the filter "Domestic Homicide Review" under Type of document');
  await Promise.all([page.waitForURL(/[?&]kind=dhr(&|$)/), dhr.click()]);
  assert.equal(new URL(page.url()).searchParams.get("q"), PHRASE, "the filter lost the query");
  const metas = page.locator(".results .doc > p.meta");
  const n = await metas.count();
  assert.ok(n >= 1, "no result is left after filtering");
  for (let i = 0; i < n; i++) {
    const m = await text(metas.nth(i));
    assert.ok(m.startsWith("Domestic Homicide Review"), `result ${i + 1} is not a Domestic Homicide Review: "${m}"`);
  }
  const chip = await seen(page.locator(".chips .chip", { hasText: "Domestic Homicide Review" }), "the filter chip");
  const selected = await seen(page.locator(".facet[data-facet=kind] a.selected"), "the selected filter");
  assert.match(await text(selected), /Domestic Homicide Review/);
  await page.screenshot({ path: join(shots, "b-facet-applied.png"), fullPage: true });
  await Promise.all([page.waitForURL((u) => !u.searchParams.has("kind")), chip.click()]);
  assert.equal(await page.locator(".chips .chip").count(), 0, "a filter chip is still shown after removing it");
  assert.equal(await text(page.locator("#summary")), summaryBefore, "removing the filter did not bring back the same results");
  assert.equal(summaryBefore, summaryA ?? summaryBefore);
});

scenario("c-document: a hit's link opens the document at that passage, highlighted on screen", async (page) => {
  const label = await openFirstHit(page);
  const target = await targetPassage(page, `from the hit "${label}"`);
  assert.match(await text(target), /coercive\s+control/i, "the passage opened does not contain the phrase searched for");
  const page_ = label.match(/^p\. (\d+)/)?.[1];
  assert.ok(page_, `the hit's link does not name a page: "${label}"`);
  const pageOf = await target.evaluate((el) => {
    let n = el;
    while ((n = n.previousElementSibling)) if (n.classList.contains("pagebreak")) return n.id;
    return null;
  });
  assert.equal(pageOf, `page-${page_}`, `the passage is not on the page the hit named ("${label}")`);
  await seen(page.locator(".hitnote"), "the note that matching passages are marked");
  assert.match(await text(page.locator(".hitnote")), /coercive control/);
  const hits = page.locator(".text .passage.hit");
  assert.ok((await hits.count()) >= 1, "no matching passage is marked");
  const plain = page.locator(".text .passage.paragraph:not(.hit):not(:target)").first();
  const [hitBorder, plainBorder] = [
    (await style(hits.first(), "border-left-color"))["border-left-color"],
    (await style(plain, "border-left-color"))["border-left-color"],
  ];
  assert.notEqual(hitBorder, plainBorder, "matching passages are not marked differently from the others");
  await page.screenshot({ path: join(shots, "c-document-viewport.png") });
});

scenario("d-evidence: selecting a highlighted tag shows its theme and rule in the Evidence box", async (page) => {
  await openFirstHit(page);
  const hint = await seen(page.locator("#evidence .hint"), "the Evidence box hint");
  const tag = page.locator(".text mark.tag:not(.negated)").first();
  await seen(tag, "a highlighted tag in the document");
  const expected = await tag.evaluate((m) => ({ label: m.dataset.label, rule: m.dataset.rule, words: m.textContent }));
  await tag.click();
  const dl = await seen(page.locator("#evidence dl"), "the evidence details");
  assert.ok(await inViewport(dl), "the evidence details are off screen after selecting a tag");
  assert.equal(await hint.isVisible(), false, "the hint is still shown beside the evidence");
  const rows = {};
  for (const dt of await dl.locator("dt").all()) {
    rows[await text(dt)] = await text(dt.locator("xpath=following-sibling::dd[1]"));
  }
  assert.ok(rows.Theme?.startsWith(expected.label), `the Evidence box does not show the theme "${expected.label}": ${JSON.stringify(rows)}`);
  assert.equal(rows.Rule, expected.rule, "the Evidence box does not show the rule");
  assert.ok(rows.Matched, "the Evidence box does not show the matched words");
  assert.ok(await tag.evaluate((m) => m.classList.contains("active")), `the selected tag "${expected.words}" is not marked as selected`);
});

scenario("e-themes: a theme's page shows its description, sources and evidence linked to the passage", async (page) => {
  await page.goto(base + "/themes");
  const link = page.locator("table.themes tr[data-theme=coercive_control] td:first-child a");
  await seen(link, "the theme Coercive and controlling behaviour in the list");
  const label = await text(link);
  await Promise.all([page.waitForURL(/\/themes\/coercive_control$/), link.click()]);
  assert.equal(await text(await seen(page.locator("h1"), "the theme's heading")), label);
  const lede = await text(await seen(page.locator(".lede"), "the theme's description"));
  assert.ok(lede.length > 20, `the description is too short to be one: "${lede}"`);
  await seen(page.locator("h2", { hasText: "Sources" }), "the Sources heading");
  const sources = page.locator("ul.sources li");
  assert.ok((await sources.count()) >= 1, "no source is listed");
  await seen(sources.first(), "the first source");
  const item = page.locator("ol.evidence > li").first();
  await seen(item, "an evidence item");
  const quote = await text(await seen(item.locator("blockquote"), "the evidence quotation"));
  const matched = await text(item.locator("mark").first());
  assert.ok(quote.toLowerCase().includes(matched.toLowerCase()), `the quotation does not contain the matched words "${matched}"`);
  await Promise.all([page.waitForURL(/\/documents\/[^/?#]+.*#p\d+$/), item.locator("a").first().click()]);
  const target = await targetPassage(page, "from the theme's evidence");
  assert.ok((await text(target)).toLowerCase().includes(matched.toLowerCase()), `the passage opened does not contain "${matched}"`);
});

scenario("f-recommendations: an agency filter lists only recommendations to that agency", async (page) => {
  await page.goto(base + "/recommendations");
  await seen(page.locator("#summary"), "the summary");
  const items = page.locator(".facet[data-facet=agency] li");
  assert.ok((await items.count()) >= 1, "no agency filter is offered");
  const link = items.first().locator("a");
  const label = await text(link);
  const count = Number(await text(items.first().locator(".count")));
  await Promise.all([page.waitForURL(/[?&]agency=/), link.click()]);
  await seen(page.locator(".chips .chip", { hasText: label }), `the filter chip for ${label}`);
  const recs = page.locator("ol.recs > li.rec");
  const n = await recs.count();
  assert.ok(n >= 1, `no recommendation is listed for ${label}`);
  assert.ok(n <= count, `more recommendations (${n}) than the filter's count (${count})`);
  for (let i = 0; i < n; i++) {
    const lines = (await recs.nth(i).innerText()).split("\n");
    const to = lines.find((l) => l.startsWith("To: "));
    assert.ok(to, `recommendation ${i + 1} does not say who it is to:\n${lines.join("\n")}`);
    assert.ok(to.includes(label), `recommendation ${i + 1} is not to ${label}: "${to}"`);
  }
});

scenario("g-hostile: markup in a document's text is shown as text and never runs", async (page) => {
  await search(page, HOSTILE_WORD);
  const result = page.locator(".results .doc", { hasText: "FICTIONAL EXAMPLE: Domestic Homicide Review" });
  const title = await seen(result.locator("h2 a"), "the hostile fixture in the results");
  assert.equal(await text(title), HOSTILE_TITLE, "the result's title is not shown literally");
  const snippets = await text(result.locator(".hits"));
  for (const s of [SCRIPT, IMG, BOLD]) assert.ok(snippets.includes(s), `the snippets do not show ${s} as text: "${snippets}"`);
  assert.ok(await seen(result.locator(".snippet mark", { hasText: HOSTILE_WORD }), "the searched word highlighted"));
  await checkNoMarkupFromText(page, "the results page");
  await Promise.all([page.waitForURL(/\/documents\//), title.click()]);
  assert.equal(await text(await seen(page.locator("h1"), "the document heading")), HOSTILE_TITLE, "the heading is not shown literally");
  const body = await text(page.locator("article.text"));
  for (const s of [SCRIPT, IMG, BOLD]) assert.ok(body.includes(s), `the document text does not show ${s} as text`);
  await checkNoMarkupFromText(page, "the document page");
  // Give anything that might run (onerror, a late script) a moment to do so.
  await page.waitForTimeout(500);
});

/** No element the document's text could have produced; app.js the only script. */
async function checkNoMarkupFromText(page, where) {
  assert.equal(await page.locator("img").count(), 0, `an <img> element exists on ${where}`);
  assert.equal(await page.locator("b").count(), 0, `a <b> element exists on ${where}`);
  const scripts = await page.locator("script").evaluateAll((s) => s.map((e) => e.getAttribute("src")));
  assert.deepEqual(scripts, ["/static/app.js"], `unexpected <script> elements on ${where}`);
  assert.equal(await page.evaluate(() => document.querySelectorAll("[onerror]").length), 0, `an element with onerror exists on ${where}`);
}

scenario("h-malformed: a query that cannot be parsed says so on the search page", async (page) => {
  await search(page, '"unclosed');
  const err = await seen(page.locator(".error[role=alert]"), "the error message");
  assert.match(await text(err), /could not be run/, "the message does not say the search could not be run");
  assert.equal(await page.locator("#q").inputValue(), '"unclosed', "the query is not kept in the box to correct");
  await seen(page.locator("form.search button[type=submit]"), "the search button");
  assert.equal(await page.locator(".results .doc").count(), 0, "results are listed for a query that could not be run");
  assert.notEqual(await page.title(), "Something went wrong · ystorfa", "an error page is shown");
});

scenario("j-patterns: a recurring recommendation's page lists its members and the words that tie them", async (page) => {
  await page.goto(base + "/patterns");
  assert.equal(await text(await seen(page.locator("h1"), "the page heading")), "Recurring recommendations");
  const link = page.locator("ol.groups > li.group h2 a").first();
  await seen(link, "a recurring recommendation in the list");
  await page.screenshot({ path: join(shots, "j-patterns-list.png"), fullPage: true });
  const summary = await text(link);
  assert.match(summary, /^in \d+ documents/, `the group does not say in how many documents: "${summary}"`);
  await Promise.all([page.waitForURL(/\/patterns\/g-/), link.click()]);
  assert.equal(await text(await seen(page.locator("h1"), "the group heading")), "Made " + summary);
  const members = page.locator("ol.members > li.member");
  assert.ok((await members.count()) >= 2, "a group lists fewer than two recommendations");
  const row = page.locator("table.links tbody tr").first();
  const shared = await text(await seen(row.locator("td").last(), "the words a pair shares"));
  assert.ok(shared.length > 0, "no shared words are shown for a pair");
  await page.screenshot({ path: join(shots, "j-patterns-group.png"), fullPage: true });
  await Promise.all([page.waitForURL(/\/documents\//), members.first().locator("a").first().click()]);
  await seen(page.locator("h1"), "the member's document");
});

scenario("i-narrow: on a phone-width screen the pages fit without sideways scrolling", async (page) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const paths = ["/search?q=" + encodeURIComponent(PHRASE), "/themes", "/themes/coercive_control", "/recommendations", "/documents", "/patterns"];
  const wide = [];
  for (const p of paths) {
    await page.goto(base + p);
    const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    if (sw > cw + 1) wide.push(`${p}: ${sw}px wide in a ${cw}px window`);
  }
  await page.goto(base + paths[0]);
  assert.deepEqual(wide, [], "pages are wider than a phone screen");
});
