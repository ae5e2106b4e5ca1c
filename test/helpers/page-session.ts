import { DEMO_PASSWORD } from './web-stack';

// A browser without script for the page tests: a cookie jar, pages as text, redirects not followed — signed in
// through the real sign-in form (its hidden `_csrf` and signed `_csrf` cookie, then the session cookie).

export interface Page {
  status: number;
  html: string;
  bytes: Buffer;
  location: string | null;
  contentType: string | null;
}

export class PageSession {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  /** Signs `userId` in (demo password unless given) through the sign-in page. */
  static async signIn(baseUrl: string, userId: string, password = DEMO_PASSWORD): Promise<PageSession> {
    const session = new PageSession(baseUrl);
    const login = await session.get('/login');
    const csrf = /<input type="hidden" name="_csrf" value="([^"]*)"/.exec(login.html)?.[1];
    if (login.status !== 200 || csrf === undefined) throw new Error(`the sign-in page failed: ${login.status}`);
    const res = await session.post('/login', { _csrf: csrf, userId, password, next: '/' });
    if (res.status !== 303 || !session.hasCookie('gk_session')) throw new Error(`sign-in of ${userId} failed: ${res.status}`);
    return session;
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }

  get(path: string): Promise<Page> {
    return this.send('GET', path);
  }

  /** Posts a form: an object, or pairs when a name repeats. */
  post(path: string, form: Record<string, string> | readonly (readonly [string, string])[]): Promise<Page> {
    const pairs = Array.isArray(form) ? form.map(([k, v]): [string, string] => [k, v]) : Object.entries(form);
    return this.send('POST', path, new URLSearchParams(pairs).toString());
  }

  private async send(method: string, path: string, body?: string): Promise<Page> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html,application/xhtml+xml',
        ...(this.cookies.size ? { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(body === undefined ? {} : { body }),
    });
    for (const header of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(name.length + 1));
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, html: bytes.toString('utf8'), bytes, location: res.headers.get('location'), contentType: res.headers.get('content-type') };
  }
}
