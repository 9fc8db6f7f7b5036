// SPDX-License-Identifier: GPL-3.0-or-later
// The settings manifest is the one source: the files made from it are up to date, and the
// service's typed Config has exactly the manifest's `config` paths.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { Secret } from '../src/secret.js';
import { SETTINGS } from '../src/settings.js';
import { outOfDate, ROOT, unitEnvLines } from '../scripts/settings.js';

function leaves(o: unknown, prefix = ''): string[] {
  if (o === null || typeof o !== 'object' || Array.isArray(o) || o instanceof Secret || o instanceof Map)
    return [prefix];
  return Object.entries(o).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('settings manifest', () => {
  test('schemas, unit --env= list and docs tables are generated from it (npm run settings)', () => {
    assert.deepEqual(outOfDate(), []);
  });

  test('names, variables and YAML keys are unique', () => {
    for (const key of ['name', 'env', 'yaml', 'config'] as const) {
      const values = SETTINGS.map((s) => s[key]).filter((v) => v !== null);
      assert.equal(new Set(values).size, values.length, key);
    }
  });

  test('Config has exactly the manifest config paths', () => {
    // Every channel configured: a channel left off is null and has no leaves (issue #22).
    const cfg = loadConfig({
      REDIS_PASSWORD: 'x',
      RECEIVER_TOKEN: 'y',
      TELEGRAM_BOT_TOKEN: '1:a',
      TELEGRAM_CHAT_ID: '42',
      TEAMS_WEBHOOK_URL: 'https://teams.example.org/w',
      NTFY_TOPIC_URL: 'https://ntfy.example.org/t',
      NTFY_TOKEN: 'tk_x',
      WEBHOOK_URL: 'https://hooks.example.org/h',
      WEBHOOK_SECRET: 'shh-shh',
    });
    assert.deepEqual(leaves(cfg).sort(), SETTINGS.flatMap((s) => (s.config ? [s.config] : [])).sort());
  });

  test('every default is accepted by its own parser', () => {
    const env = Object.fromEntries(
      SETTINGS.map((s) => [
        s.env,
        Array.isArray(s.default)
          ? s.default.join(',')
          : s.type === 'bool'
            ? s.default
              ? '1'
              : '0'
            : String(s.default),
      ]),
    );
    assert.doesNotThrow(() => loadConfig(env));
  });

  test('the unit passes every setting of the module environment, and only those', () => {
    const unit = readFileSync(path.join(ROOT, 'imageroot/systemd/user/backup-monitor.service'), 'utf8');
    const passed = [...unit.matchAll(/^ {4}--env=([A-Z_]+)/gm)].map((m) => m[1]);
    const wanted = SETTINGS.filter((s) => ['action', 'environment', 'ns8', 'fixed'].includes(s.source)).map(
      (s) => s.env,
    );
    assert.deepEqual(passed, wanted);
    assert.equal(unitEnvLines().length, wanted.length);
  });
});
