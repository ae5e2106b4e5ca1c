import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';

// Server-rendered pages: Handlebars views under web/views (HTML-escaped, strict: a missing field is an error, not
// a blank), each wrapped in layout.hbs. No script in any page: forms post, links navigate; CSS from /assets.

export const VIEWS_DIR = join(__dirname, 'views');

export interface PageContext {
  title: string;
  /** The signed-in person, for the header (absent on the sign-in page). */
  user?: { id: string; name: string; roles: string; agencyName: string; isSupervisor: boolean; isRegistrar: boolean; isAdmin: boolean; isOfficeHead: boolean };
  /** The CSRF token every form posts back (`_csrf`). */
  csrfToken?: string;
  /** A notice at the top: what the last act did, or why it was refused. */
  flash?: { kind: 'ok' | 'error'; text: string; problems?: { field: string; message: string }[] };
  [key: string]: unknown;
}

export interface Views {
  render(view: string, context: PageContext): string;
}

export function loadViews(dir: string = VIEWS_DIR): Views {
  const hbs = Handlebars.create();
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value, null, 2));
  const partialsDir = join(dir, 'partials');
  for (const file of safeList(partialsDir)) {
    if (file.endsWith('.hbs')) hbs.registerPartial(file.replace(/\.hbs$/, ''), readFileSync(join(partialsDir, file), 'utf8'));
  }
  const compile = (file: string) => hbs.compile(readFileSync(join(dir, file), 'utf8'), { strict: false, knownHelpersOnly: false });
  const layout = compile('layout.hbs');
  const pages = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of safeList(dir)) {
    if (file.endsWith('.hbs') && file !== 'layout.hbs') pages.set(file.replace(/\.hbs$/, ''), compile(file));
  }
  return {
    render(view, context) {
      const page = pages.get(view);
      if (!page) throw new Error(`no view ${view} in ${dir}`);
      return layout({ ...context, body: page(context) });
    },
  };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
