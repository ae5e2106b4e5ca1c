import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
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

/** A template that cannot be used as written: a section missing, a field the context does not have. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
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

// ---------------------------------------------------------------------------------------------------------------------
// Sectioned text templates (letters): one file, its parts introduced by marker lines `== name ==`.

/** A line `== name ==` opens the section `name`; it must stand alone on its line. */
const SECTION_MARKER = /^==[ \t]*([A-Za-z]+)[ \t]*==[ \t]*$/;
/** Handlebars comments, which the lines before the first section may hold (a note to editors). */
const COMMENTS = /\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g;

/**
 * A Handlebars environment of its own per partials folder, so an agency's partials never leak into another
 * folder's templates. Logic-less: the built-in block helpers only, no custom helper.
 */
const environments = new Map<string, typeof Handlebars>();
function environmentFor(partialsDir: string | undefined): typeof Handlebars {
  const key = partialsDir ?? '';
  let environment = environments.get(key);
  if (!environment) {
    environment = Handlebars.create();
    if (partialsDir !== undefined && existsSync(partialsDir)) {
      for (const file of readdirSync(partialsDir).filter((name) => name.endsWith('.hbs'))) {
        environment.registerPartial(basename(file, '.hbs'), readFileSync(join(partialsDir, file), 'utf8'));
      }
    }
    environments.set(key, environment);
  }
  return environment;
}

const sectioned = new Map<string, Map<string, Compiled>>();

/** Splits `source` at its markers; every name in `names` exactly once, in that order, and nothing else. */
function splitSections(source: string, names: readonly string[], where: string): Map<string, string> {
  const sections = new Map<string, string[]>();
  const preamble: string[] = [];
  let current: string[] = preamble;
  for (const line of source.split(/\r?\n/)) {
    const marker = SECTION_MARKER.exec(line);
    if (!marker) {
      current.push(line);
      continue;
    }
    const name = marker[1] ?? '';
    if (!names.includes(name)) throw new TemplateError(`${where}: unknown section "${name}" (sections: ${names.join(', ')})`);
    if (sections.has(name)) throw new TemplateError(`${where}: section "${name}" appears twice`);
    current = [];
    sections.set(name, current);
  }
  if (preamble.join('\n').replace(COMMENTS, '').trim() !== '') {
    throw new TemplateError(`${where}: text before the first section marker (== ${names[0] ?? 'name'} ==)`);
  }
  const missing = names.filter((name) => !sections.has(name));
  if (missing.length > 0) throw new TemplateError(`${where}: missing section(s) ${missing.join(', ')}`);
  const order = [...sections.keys()];
  const misplaced = order.find((name, index) => name !== names[index]);
  if (misplaced !== undefined) throw new TemplateError(`${where}: section "${misplaced}" out of order (expected ${names.join(', ')})`);
  return new Map([...sections].map(([name, lines]) => [name, lines.join('\n')]));
}

export interface SectionedTemplateOptions {
  /** Partials (`{{> name}}`) are the `.hbs` files of this folder, named by their file name. */
  partialsDir?: string;
  /** The folder the file is named relative to in errors. */
  baseDir?: string;
}

/**
 * Renders each section of a sectioned text template with `data` (already checked by the caller's schema). Output is
 * text, never HTML-escaped; the values are not evaluated as templates, so `{{` in a value stays as written.
 */
export function renderSections(
  file: string,
  names: readonly string[],
  data: unknown,
  options: SectionedTemplateOptions = {},
): Map<string, string> {
  const where = options.baseDir === undefined ? basename(file) : relative(options.baseDir, file);
  const cacheKey = `${options.partialsDir ?? ''}:${file}`;
  let sections = sectioned.get(cacheKey);
  if (!sections) {
    if (!existsSync(file)) throw new TemplateError(`${where}: no such template file`);
    const environment = environmentFor(options.partialsDir);
    sections = new Map();
    for (const [name, source] of splitSections(readFileSync(file, 'utf8'), names, where)) {
      try {
        sections.set(name, environment.compile(source, { strict: true, noEscape: true, knownHelpersOnly: true }));
      } catch (error) {
        throw new TemplateError(`${where}, section ${name}: ${(error as Error).message}`);
      }
    }
    sectioned.set(cacheKey, sections);
  }
  const rendered = new Map<string, string>();
  for (const [name, template] of sections) {
    try {
      rendered.set(name, template(data));
    } catch (error) {
      // Handlebars names the missing field and its line, never a value ("x" not defined in [object Object] - 3:5).
      throw new TemplateError(`${where}, section ${name}: ${(error as Error).message}`);
    }
  }
  return rendered;
}
