import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseApplication } from '../../domain/application';
import { ACTION_PAYLOAD_SCHEMAS, isSupportedAction, SUPPORTED_ACTIONS } from '../../domain/case-actions';
import { findAgency } from '../../domain/gongkai-config';
import { fieldProblems } from '../../domain/validation';
import { resolvePayload } from '../../workers/case-client';
import { loadConfig, type LoadedConfig } from '../../workers/load-config';

// The files in examples/ are what docs/temporal-api.md and operators copy from: each must still pass the
// schema it illustrates, so a schema change that breaks one fails here instead of in someone's hands.

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const ACTION_EXAMPLES = join(EXAMPLES, 'actions');
const WALKTHROUGH = join(EXAMPLES, 'walkthrough');
const README = join(__dirname, '..', '..', 'README.md');
const ASSIGNMENT_ACTIONS = ['assign-handler', 'reassign-handler', 'hand-over'];

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const exampleData = (action: string): unknown => readJson(join(ACTION_EXAMPLES, `${action}.json`));

let dataDir: string;
let config: LoadedConfig;

beforeAll(() => {
  // The demo configuration (its users resolve the handler ids); local key files go to a folder of our own.
  dataDir = mkdtempSync(join(tmpdir(), 'gongkai-examples-'));
  config = loadConfig({ env: { GONGKAI_DATA_DIR: dataDir } });
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('examples/actions', () => {
  test('one example per supported action, and none for an action the workflow does not take', () => {
    const files = readdirSync(ACTION_EXAMPLES).filter((name) => name.endsWith('.json'));
    const actions = files.map((name) => name.slice(0, -'.json'.length));
    expect(actions.filter((action) => !isSupportedAction(action))).toEqual([]);
    expect([...actions].sort()).toEqual([...SUPPORTED_ACTIONS].sort());
  });

  test.each(SUPPORTED_ACTIONS)('%s: the example passes the action schema', (action) => {
    const data = resolvePayload(config, action, exampleData(action));
    const parsed = ACTION_PAYLOAD_SCHEMAS[action].safeParse(data);
    const problems = parsed.success ? [] : fieldProblems(parsed.error).map((p) => `${p.field}: ${p.message}`);
    expect(problems).toEqual([]);
  });

  test.each(ASSIGNMENT_ACTIONS)('%s: the handler id resolves to the configured handler', (action) => {
    const data = resolvePayload(config, action, exampleData(action)) as { handler: unknown };
    const expectedUser = action === 'reassign-handler' ? 'zrzy.handler2' : 'zrzy.handler1';
    expect(data.handler).toEqual({ userId: expectedUser, roles: ['handler'], agencyCode: 'LYG-ZRZY' });
  });

  test('an assignment example is the interface form: unresolved, the workflow refuses it', () => {
    expect(ACTION_PAYLOAD_SCHEMAS['assign-handler'].safeParse(exampleData('assign-handler')).success).toBe(false);
  });
});

// The README's walkthrough: `NN-<action>.json`, NN the step (01, 02, …), the action's payload.
describe('examples/walkthrough', () => {
  const WALKTHROUGH_FILE = /^(\d{2})-([a-z]+(?:-[a-z]+)*)\.json$/;
  const files = readdirSync(WALKTHROUGH).filter((name) => name.endsWith('.json')).sort();
  const actionOf = (file: string): string => WALKTHROUGH_FILE.exec(file)?.[2] ?? '';

  test('every file is named NN-<supported action>.json, numbered 01, 02, … without gaps', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((file) => !WALKTHROUGH_FILE.test(file))).toEqual([]);
    expect(files.filter((file) => !isSupportedAction(actionOf(file)))).toEqual([]);
    expect(files.map((file) => file.slice(0, 2))).toEqual(files.map((_, i) => String(i + 1).padStart(2, '0')));
  });

  test.each(files)('%s: passes the schema of the action its name names', (file) => {
    const action = actionOf(file);
    if (!isSupportedAction(action)) throw new Error(`${file}: not a supported action`);
    const parsed = ACTION_PAYLOAD_SCHEMAS[action].safeParse(resolvePayload(config, action, readJson(join(WALKTHROUGH, file))));
    const problems = parsed.success ? [] : fieldProblems(parsed.error).map((p) => `${p.field}: ${p.message}`);
    expect(problems).toEqual([]);
  });

  test("the README's walkthrough uses every file once, in order, with the action its name names", () => {
    const acts = [...readFileSync(README, 'utf8').matchAll(/^npx gongkai act "\$CASE" (\S+) --as \S+ --data examples\/walkthrough\/(\S+)$/gm)];
    expect(acts.map(([, action, file]) => `${action} ${file}`)).toEqual(files.map((file) => `${actionOf(file)} ${file}`));
  });
});

describe('examples/application-*.json', () => {
  const files = readdirSync(EXAMPLES).filter((name) => /^application-.+\.json$/.test(name));

  test('both application examples are there', () => {
    expect(files.sort()).toEqual(['application-in-person.json', 'application-internet-unconfirmed.json']);
  });

  test.each(files)('%s: a valid application for an agency of the demo configuration', (file) => {
    const example = readJson(join(EXAMPLES, file)) as { submissionId: unknown; application: unknown };
    const application = parseApplication(example.application);
    expect(findAgency(config, application.agencyCode)).toBeDefined();
    // The intake's submission id rule (workers/intake.ts).
    expect(example.submissionId).toMatch(/^[A-Za-z0-9._:-]{8,100}$/);
  });
});
