import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { z } from 'zod';
import { parseOrThrow } from '../domain/validation';

// Templates are Handlebars files an agency can adjust; each has a zod schema for its context. The context is
// checked before rendering and the template compiled strict, so a missing field is an error, never a blank.

export const TEMPLATES_DIR = __dirname;

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

type Compiled = Handlebars.TemplateDelegate;
const compiled = new Map<string, Compiled>();

function compile(path: string, escapeHtml: boolean): Compiled {
  const cacheKey = `${escapeHtml}:${path}`;
  let template = compiled.get(cacheKey);
  if (!template) {
    template = Handlebars.compile(readFileSync(path, 'utf8'), { strict: true, noEscape: !escapeHtml });
    compiled.set(cacheKey, template);
  }
  return template;
}

/** Renders `email/<name>.{subject,text,html}.hbs` from `dir` (default: the shipped templates) with a checked context. */
export function renderEmail<S extends z.ZodType>(name: string, schema: S, context: z.input<S>, dir = TEMPLATES_DIR): RenderedEmail {
  const data = parseOrThrow(schema, context, `Email template ${name}`);
  const file = (part: string) => join(dir, 'email', `${name}.${part}.hbs`);
  return {
    // One line: a template's line breaks must not become header folding.
    subject: compile(file('subject'), false)(data).replace(/\s+/g, ' ').trim(),
    text: compile(file('text'), false)(data),
    html: compile(file('html'), true)(data),
  };
}
