// SPDX-License-Identifier: GPL-3.0-or-later
// Static checks of the module package: shell scripts pass shellcheck, Python parses, every
// step is executable, the JSON schemas accept their examples and refuse bad input (checked by
// two implementations: ajv, as the agent runner uses, and Python jsonschema), the unit passes
// systemd-analyze verify, the update hooks and metadata.json are well formed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IMAGEROOT, REPO_ROOT, SYSTEM_PATH, validateAgainst } from '../sim/agent-runner.js';

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
const files = walk(IMAGEROOT).filter((f) => !f.includes('__pycache__'));
const shebang = (f: string) => readFileSync(f, 'utf8').split('\n', 1)[0] ?? '';
const shellScripts = [
  ...files.filter((f) => /^#!.*\b(ba)?sh\b/.test(shebang(f))),
  path.join(REPO_ROOT, 'build-images.sh'),
  ...(existsSync(path.join(REPO_ROOT, 'build'))
    ? walk(path.join(REPO_ROOT, 'build')).filter((f) => f.endsWith('.sh'))
    : []),
];
const pythonFiles = files.filter((f) => f.endsWith('.py') || /python3/.test(shebang(f)));
const actionsDir = path.join(IMAGEROOT, 'actions');
const actions = readdirSync(actionsDir);
const run = (cmd: string, args: string[], input?: string) =>
  spawnSync(cmd, args, { encoding: 'utf8', input, env: { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' } });

describe('scripts', () => {
  test('shell scripts pass shellcheck', () => {
    assert.ok(shellScripts.length >= 6, `found ${shellScripts.length} shell scripts`);
    const r = run('shellcheck', ['--shell=bash', '--severity=style', ...shellScripts]);
    assert.equal(r.error, undefined, 'shellcheck must be installed');
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('Python steps and modules parse', () => {
    const r = run('python3', [
      '-c',
      'import ast, sys\nfor f in sys.argv[1:]: ast.parse(open(f).read(), f)',
      ...pythonFiles,
    ]);
    assert.equal(r.status, 0, r.stderr);
  });

  test('every step and handler is executable and carries the SPDX header', () => {
    const steps = files.filter((f) => /\/(actions|events)\/[^/]+\/[^/]+$/.test(f) && !f.endsWith('.json'));
    for (const f of [...steps, ...files.filter((f) => f.includes('/bin/'))]) {
      assert.ok(statSync(f).mode & 0o100, `${f} is executable`);
      assert.match(readFileSync(f, 'utf8'), /SPDX-License-Identifier: GPL-3\.0-or-later/, f);
    }
  });

  test('update-module.d hooks resolve to executable steps', () => {
    const dir = path.join(IMAGEROOT, 'update-module.d');
    for (const name of readdirSync(dir)) {
      const f = path.join(dir, name);
      if (lstatSync(f).isSymbolicLink())
        assert.ok(realpathSync(f).startsWith(path.join(IMAGEROOT, 'actions')), `${name} links into actions/`);
      assert.ok(statSync(f).mode & 0o100, `${name} is executable`);
    }
  });
});

/** Python jsonschema's verdict (Draft 7, with format checks) for each instance. */
function pythonVerdicts(schemaFile: string, instances: unknown[]): boolean[] {
  const code =
    'import json, sys, jsonschema\n' +
    's = json.load(open(sys.argv[1])); v = jsonschema.Draft7Validator(s, format_checker=jsonschema.draft7_format_checker)\n' +
    'jsonschema.Draft7Validator.check_schema(s)\n' +
    'print(json.dumps([v.is_valid(i) for i in json.load(sys.stdin)]))';
  const r = run('python3', ['-c', code, schemaFile], JSON.stringify(instances));
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as boolean[];
}

const INVALID_INPUT: Record<string, unknown[]> = {
  'configure-module': [
    {},
    null,
    { mail_to: 'ops@example.org' },
    { mail_to: [], wait_seconds: 3601 },
    { mail_to: [], wait_seconds: 1.5 },
    { mail_to: [], language: 'de' },
    { mail_to: [], reminder_interval: -1 },
    { mail_to: [], stale_age: 60 },
    { mail_to: [], repo_check_timeout: 4 },
    { mail_to: [], notify_policy: 'sometimes' },
    { mail_to: [], digest_time: '8:00' },
    { mail_to: [], plan_notifications: [{ plan_id: '2' }] },
    { mail_to: ['a@b.c', 'a@b.c'] },
    { mail_to: [], subject_prefix: 'x'.repeat(81) },
    { mail_to: [], subject_prefix: 'a\nb' },
    { mail_to: [], subject_prefix: '$HOME' },
    { mail_to: [], subject_prefix: ' padded' },
    { mail_to: [], unknown: 1 },
  ],
  'list-reports': [
    { page: 0 },
    { per_page: 101 },
    { page: '1' },
    { extra: true },
    [],
    { outcome: ['success'] },
    { outcome: 'SUCCESS' },
    { delivery: 'lost' },
    { from: -1 },
    { plan_id: 0 },
    { outcome: Array.from({ length: 11 }, (_, i) => 'X' + 'A'.repeat(i)) },
  ],
  'get-trends': [{ plan_id: 1 }, [], 'x'],
  'get-report': [{}, { id: '' }, { id: '../x' }, { id: 'a b' }],
  'send-test-notification': [{ to: 'ops@example.org' }, { to: ['not-an-address'] }, { cc: [] }],
  'get-configuration': [{ x: 1 }, [], 'x'],
};

describe('JSON schemas', () => {
  for (const action of actions) {
    for (const kind of ['input', 'output'] as const) {
      const file = path.join(actionsDir, action, `validate-${kind}.json`);
      if (!existsSync(file)) continue;
      test(`${action} ${kind}: examples are valid for ajv and Python jsonschema`, () => {
        const schema = JSON.parse(readFileSync(file, 'utf8')) as { $schema: string; examples?: unknown[] };
        assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
        assert.ok(schema.examples && schema.examples.length > 0, 'has examples');
        for (const ex of schema.examples) assert.deepEqual(validateAgainst(file, ex), [], JSON.stringify(ex));
        assert.deepEqual(
          pythonVerdicts(file, schema.examples),
          schema.examples.map(() => true),
        );
      });
    }
    const bad = INVALID_INPUT[action];
    if (bad) {
      test(`${action} input: bad examples are refused by both`, () => {
        const file = path.join(actionsDir, action, 'validate-input.json');
        for (const ex of bad) assert.notDeepEqual(validateAgainst(file, ex), [], `ajv accepts ${JSON.stringify(ex)}`);
        assert.deepEqual(
          pythonVerdicts(file, bad),
          bad.map(() => false),
        );
      });
    }
  }

  test('every action that answers has an output schema', () => {
    const silent = new Set([
      'configure-module',
      'create-module',
      'destroy-module',
      'restore-module',
      'clone-module',
      'transfer-state',
    ]);
    for (const a of actions.filter((x) => !silent.has(x)))
      assert.ok(existsSync(path.join(actionsDir, a, 'validate-output.json')), a);
  });
});

describe('systemd unit', () => {
  const unit = path.join(IMAGEROOT, 'systemd', 'user', 'backup-monitor.service');

  test('passes systemd-analyze verify without a warning', () => {
    const r = spawnSync('systemd-analyze', ['--user', 'verify', unit], {
      encoding: 'utf8',
      env: { PATH: SYSTEM_PATH, XDG_RUNTIME_DIR: mkdtempSync(path.join(tmpdir(), 'xdg-')) },
    });
    assert.equal(r.error, undefined, 'systemd-analyze must be installed');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), '');
  });

  test('rootless container on the host network, receiver on loopback, secrets from a runtime file', () => {
    const text = readFileSync(unit, 'utf8');
    for (const line of [
      'EnvironmentFile=%E/state/environment',
      'WorkingDirectory=%E/state',
      'Restart=always',
      'Type=forking',
      'ExecStartPre=runagent write-service-env %t/backup-monitor.env',
      'WantedBy=default.target',
    ]) {
      assert.ok(text.includes(line), line);
    }
    for (const flag of [
      '--network=host',
      '--tz=local',
      '--env-file=%t/backup-monitor.env',
      '--env=RECEIVER_HOST=127.0.0.1',
      '--env=TCP_PORT',
      '--cgroups=no-conmon',
      '${BACKUP_MONITOR_SERVICE_IMAGE}',
    ]) {
      assert.ok(text.includes(flag), flag);
    }
    assert.doesNotMatch(text, /REDIS_PASSWORD|agent\.env/, 'credentials are not named in the unit');
  });
});

describe('ui/public/metadata.json', () => {
  test('has the catalogue fields and claims no registry namespace (build-images.sh fills them from REPOBASE)', () => {
    const m = JSON.parse(readFileSync(path.join(REPO_ROOT, 'ui', 'public', 'metadata.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(m.name, 'backup-monitor');
    assert.equal(m.source, 'localhost/backup-monitor');
    assert.ok((m.description as Record<string, string>).en);
    assert.ok(Array.isArray(m.categories) && Array.isArray(m.authors));
    for (const k of ['documentation_url', 'bug_url', 'code_url'])
      assert.equal((m.docs as Record<string, string>)[k], '');
  });
});
