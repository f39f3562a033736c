import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError, USAGE } from '../../reconciler/cli/args.ts';

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseArgs(argv), (e: unknown) => {
    assert.ok(e instanceof UsageError, String(e));
    assert.match(e.message, pattern);
    assert.ok(e.message.endsWith(USAGE), 'the usage follows the problem');
    return true;
  });
}

test('no arguments means run', () => {
  assert.deepEqual(parseArgs([]), { name: 'run' });
});

test('run and once take nothing', () => {
  assert.deepEqual(parseArgs(['run']), { name: 'run' });
  assert.deepEqual(parseArgs(['once']), { name: 'once' });
  usageError(['once', '--json'], /^once does not take --json/);
  usageError(['run', 'now'], /^run takes no arguments, got "now"/);
});

test('plan and status take --json', () => {
  assert.deepEqual(parseArgs(['plan']), { name: 'plan', json: false });
  assert.deepEqual(parseArgs(['plan', '--json']), { name: 'plan', json: true });
  assert.deepEqual(parseArgs(['--json', 'status']), { name: 'status', json: true });
  usageError(['status', 'extra'], /^status takes no arguments, got "extra"/);
});

test('validate takes exactly one directory', () => {
  assert.deepEqual(parseArgs(['validate', './repo']), { name: 'validate', dir: './repo', json: false, strict: false });
  assert.deepEqual(parseArgs(['validate', 'repo', '--json']), { name: 'validate', dir: 'repo', json: true, strict: false });
  assert.deepEqual(parseArgs(['validate', 'repo', '--strict']), { name: 'validate', dir: 'repo', json: false, strict: true });
  usageError(['validate'], /^validate takes one directory/);
  usageError(['validate', 'a', 'b'], /^validate takes one directory/);
});

test('help and version win over everything else', () => {
  assert.deepEqual(parseArgs(['help']), { name: 'help' });
  assert.deepEqual(parseArgs(['--help']), { name: 'help' });
  assert.deepEqual(parseArgs(['plan', '-h']), { name: 'help' });
  assert.deepEqual(parseArgs(['once', '--bogus', '--help']), { name: 'help' });
  assert.deepEqual(parseArgs(['version']), { name: 'version' });
  assert.deepEqual(parseArgs(['status', '--version']), { name: 'version' });
});

test('unknown options are errors naming each of them', () => {
  usageError(['run', '--dry-run'], /^unknown option --dry-run\n/);
  usageError(['plan', '--fast', '-x'], /^unknown options --fast, -x\n/);
  usageError(['validate', 'repo', '--fix'], /^unknown option --fix/);
  usageError(['sandbox', 'serve', '--port=1'], /^unknown option --port=1/);
});

test('unknown commands are errors', () => {
  usageError(['deploy'], /^unknown command "deploy"/);
});

test('sandbox run and sandbox serve take nothing', () => {
  assert.deepEqual(parseArgs(['sandbox', 'run']), { name: 'sandbox-run' });
  assert.deepEqual(parseArgs(['sandbox', 'serve']), { name: 'sandbox-serve' });
  usageError(['sandbox', 'run', '--json'], /^sandbox run does not take --json/);
  usageError(['sandbox', 'serve', 'now'], /^sandbox serve takes no arguments, got "now"/);
  // `npm start -- plan`: npm start is `sandbox run`.
  usageError(['sandbox', 'run', 'plan'], /^sandbox run takes no arguments, got "plan" \(npm start runs the sandbox; for another command use npm run cli -- plan\)/);
  usageError(['sandbox', 'run', '--poll=1'], /^unknown option --poll=1/);
});

test('the sandbox starts only when asked for by name: no command and run mean the reconciler', () => {
  assert.deepEqual(parseArgs([]), { name: 'run' });
  assert.deepEqual(parseArgs(['run']), { name: 'run' });
  assert.match(USAGE, /^ {2}run +reconcile continuously \(default\); needs AZDO_ORG_URL/m);
  assert.match(USAGE, /^ {2}sandbox run +start the sandbox and reconcile continuously against it/m);
  assert.doesNotMatch(USAGE, /without AZDO_ORG_URL/i);
});

test('sandbox demo with --jobs N, --jobs=N or no jobs', () => {
  assert.deepEqual(parseArgs(['sandbox', 'demo']), { name: 'sandbox-demo', json: false, jobs: undefined });
  assert.deepEqual(parseArgs(['sandbox', 'demo', '--jobs', '12']), { name: 'sandbox-demo', json: false, jobs: 12 });
  assert.deepEqual(parseArgs(['sandbox', 'demo', '--jobs=3', '--json']), { name: 'sandbox-demo', json: true, jobs: 3 });
});

test('sandbox demo rejects a bad --jobs and stray words', () => {
  usageError(['sandbox', 'demo', '--jobs', '0'], /^--jobs must be a whole number ≥ 1, got "0"/);
  usageError(['sandbox', 'demo', '--jobs=two'], /got "two"/);
  usageError(['sandbox', 'demo', 'fast'], /^sandbox demo takes no arguments, got "fast"/);
  usageError(['sandbox', 'demo', '--verbose'], /^unknown option --verbose/);
});

test('an unknown or missing sandbox subcommand says which ones exist', () => {
  usageError(['sandbox'], /^unknown sandbox command "": use "sandbox run", "sandbox serve" or "sandbox demo"/);
  usageError(['sandbox', 'start'], /^unknown sandbox command "start"/);
});

test('a switch given a value, and --jobs given none, are errors that say so', () => {
  usageError(['plan', '--json=yes'], /^--json takes no value, got "--json=yes"/);
  usageError(['validate', 'repo', '--strict=false'], /^--strict takes no value, got "--strict=false"/);
  usageError(['sandbox', 'demo', '--jobs'], /^--jobs must be a whole number ≥ 1, got nothing/);
  // The next word is the value, as for any option that takes one.
  usageError(['sandbox', 'demo', '--jobs', '--json'], /^--jobs must be a whole number ≥ 1, got "--json"/);
});

test('an option of another command is unknown here, with its value as typed', () => {
  usageError(['plan', '--jobs', '3'], /^unknown option --jobs\n/);
  usageError(['once', '--strict'], /^unknown option --strict\n/);
  usageError(['status', '--jobs=3', '--fast', '--fast'], /^unknown options --jobs=3, --fast\n/);
});

test('history and diff: their arguments, and usage errors that say what is wrong', () => {
  const h = parseArgs(['history', 'repo', '--spec', 'linux', '--since', 'all', '--json']);
  assert.deepEqual(h, { name: 'history', dir: 'repo', since: undefined, spec: 'linux', json: true, job: undefined, chart: undefined });
  assert.equal((parseArgs(['history', '--job', '7']) as { job?: number }).job, 7);
  usageError(['history', '--since', 'soon'], /^--since must be a duration/);
  usageError(['history', 'a', 'b'], /^history takes at most one directory/);
  assert.deepEqual(parseArgs(['diff', 'base', 'pr']), { name: 'diff', base: 'base', head: 'pr', json: false, live: false });
  assert.deepEqual(parseArgs(['diff', 'base', 'pr', '--json', '--live']), { name: 'diff', base: 'base', head: 'pr', json: true, live: true });
  usageError(['diff', 'pr'], /^diff takes two directories/);
  usageError(['diff', 'a', 'b', '--strict'], /^unknown option --strict/);
  assert.match(USAGE, /^ {2}history \[DIR\]/m);
  assert.match(USAGE, /^ {2}diff <base-dir> <head-dir> \[--json\] \[--live\]/m);
});
