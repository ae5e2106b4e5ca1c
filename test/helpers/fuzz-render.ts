import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

// Checks that text a person typed is shown as text — in a page in Chromium, in a letter's DOCX and PDF, in an email —
// and never runs: no dialog, no page script, no element or handler it would have created, the literal text present.

/**
 * Runs in the page (as source text: this project's TypeScript has no DOM types): the elements and attributes markup
 * would have made, whether an injection's script ran, and which wanted texts are not shown as text or a field's value.
 */
const INSPECT_PAGE = `(wanted) => {
  const injected = [];
  for (const element of document.querySelectorAll('*')) {
    const tag = element.tagName.toLowerCase();
    if (['script', 'iframe', 'img', 'svg', 'object', 'embed', 'frame', 'base'].includes(tag)) injected.push('<' + tag + '>');
    for (const attribute of element.attributes) {
      if (/^on/i.test(attribute.name)) injected.push(tag + '[' + attribute.name + ']');
      if (['href', 'src', 'action', 'formaction'].includes(attribute.name) && /^\\s*javascript:/i.test(attribute.value)) injected.push(tag + '[' + attribute.name + '=javascript:]');
    }
  }
  const shown = [document.body ? document.body.textContent : '', ...Array.from(document.querySelectorAll('input, textarea'), (field) => field.value)].join('\\n');
  return { injected, fired: window.__gkFired !== undefined, missing: wanted.filter((text) => !shown.includes(text)) };
}`;

/** What a page did that only script could have done, and what it said on the console about refused script. */
export class PageWatch {
  readonly events: string[] = [];

  constructor(readonly page: Page) {
    page.on('dialog', (dialog) => {
      this.events.push(`dialog ${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (err) => this.events.push(`page error: ${err.message}`));
    // A CSP refusal ("Refused to execute inline script…") means markup got into the page unescaped.
    page.on('console', (message) => {
      if (/Refused to|gk-xss|__gkFired/.test(message.text())) this.events.push(`console ${message.type()}: ${message.text()}`);
    });
  }

  /**
   * Throws if anything ran or was injected on the page as it is now: a dialog, a script error, `window.__gkFired`, an
   * element or attribute that markup in the text would have made (script, iframe, img, svg, object, embed, on*
   * handlers, javascript: links). `texts` must each be on the page literally, as text or as a field's value.
   */
  async expectInert(where: string, texts: readonly string[] = []): Promise<void> {
    const found = (await this.page.evaluate(`(${INSPECT_PAGE})(${JSON.stringify(texts)})`)) as { injected: string[]; fired: boolean; missing: string[] };
    const problems = [
      ...this.events,
      ...(found.fired ? ['window.__gkFired was set'] : []),
      ...found.injected.map((what) => `injected ${what}`),
      ...found.missing.map((text) => `not shown literally: ${JSON.stringify(text)}`),
    ];
    this.events.length = 0;
    if (problems.length > 0) throw new Error(`${where}: ${problems.join('; ')}`);
  }
}


/** Text with all white space removed: a PDF wraps lines wherever the width ends. */
export const withoutSpace = (text: string): string => text.replace(/\s+/g, '');

/**
 * A PDF's text as poppler's `pdftotext -layout` reads it (the plain mode drops a hyphen ending a line), white space
 * and the page numbers (— 1 —) removed, so a text wrapped or broken across pages compares as one.
 */
export function pdfFlatText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'gongkai-fuzz-pdf-'));
  try {
    writeFileSync(join(dir, 'letter.pdf'), pdf);
    return withoutSpace(execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', join(dir, 'letter.pdf'), '-'], { encoding: 'utf8' }).replace(/—\s*\d+\s*—/g, ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
