// SPDX-License-Identifier: GPL-3.0-or-later
// Writes what follows from the settings manifest (imageroot/pypkg/backup_monitor/settings.json):
// the configure-module and get-configuration schemas, the unit's `--env=` list and the two docs
// tables. `npm run settings` rewrites them; test/settings.test.ts fails when one is out of date.
//
//   node --import tsx scripts/settings.ts          rewrite the files
//   node --import tsx scripts/settings.ts --check  list the files that differ, exit 1 if any
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACTION_SETTINGS, MANIFEST, SETTINGS, type SettingSpec } from '../src/settings.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** JSON with 4-space indents; an object or array that fits in 110 columns stays on one line. */
export function formatJson(value: unknown, indent = ''): string {
  const flat = JSON.stringify(value, null, 1)
    ?.replace(/\n\s*/g, ' ')
    .replace(/([[{]) /g, '$1')
    .replace(/ ([\]}])/g, '$1');
  if (flat === undefined) return 'null';
  if (value === null || typeof value !== 'object' || indent.length + flat.length <= 110) return flat;
  const inner = indent + '    ';
  const items = Array.isArray(value)
    ? value.map((v) => inner + formatJson(v, inner))
    : Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`);
  return Array.isArray(value) ? `[\n${items.join(',\n')}\n${indent}]` : `{\n${items.join(',\n')}\n${indent}}`;
}

const EMAIL_NOTE = ' Address syntax is checked by the 10validate step (error invalid_email).';

function inputProperty(s: SettingSpec): Record<string, unknown> {
  const d = { description: s.description };
  switch (s.type) {
    case 'emails':
      return {
        description: s.description + EMAIL_NOTE,
        type: 'array',
        maxItems: s.maxItems,
        uniqueItems: true,
        items: { type: 'string', minLength: 1, maxLength: 254 },
      };
    case 'email':
      return { ...d, type: 'string', maxLength: 254 };
    case 'text':
      return { ...d, type: 'string', maxLength: s.maxLength, ...(s.pattern ? { pattern: PATTERNS[s.pattern] } : {}) };
    case 'enum':
      return { ...d, type: 'string', enum: s.values };
    case 'bool':
      return { ...d, type: 'boolean' };
    case 'int':
      return { ...d, type: 'integer', minimum: s.min, maximum: s.max };
    case 'plan_policies':
      return { ...d, type: 'array', maxItems: s.maxItems, items: planItem(s) };
    default:
      throw new Error(`${s.name}: type ${s.type} cannot be an action field`);
  }
}
const outputProperty = (s: SettingSpec): Record<string, unknown> => {
  switch (s.type) {
    case 'emails':
      return { type: 'array', items: { type: 'string' } };
    case 'enum':
      return { type: 'string', enum: s.values };
    case 'bool':
      return { type: 'boolean' };
    case 'int':
      return { type: 'integer' };
    case 'plan_policies':
      return { type: 'array', items: planItem(s) };
    default:
      return { type: 'string' };
  }
};
const PATTERNS = MANIFEST.patterns;

/** One plan's notification setting (issue #14); whether the plan exists is checked by 10validate. */
const planItem = (s: SettingSpec) => ({
  type: 'object',
  required: ['plan_id'],
  additionalProperties: false,
  properties: {
    plan_id: { type: 'integer', minimum: 1 },
    policy: { type: 'string', enum: ['default', 'always', 'problems', 'digest', 'off'] },
    mail_to: { type: 'array', maxItems: s.maxRecipients, items: { type: 'string', minLength: 1, maxLength: 254 } },
  },
});

/** get-configuration also lists the current backup plans, for the Settings page's plan table. */
const PLANS_OUTPUT = {
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'name', 'destination', 'schedule', 'enabled'],
    properties: {
      id: { type: 'integer' },
      name: { type: 'string' },
      destination: { type: 'string' },
      schedule: { type: 'string' },
      schedule_hint: { type: 'object' },
      enabled: { type: 'boolean' },
      instances: { type: 'integer' },
    },
  },
};

const example = (s: SettingSpec) => s.example ?? s.default;

/** Issue #22: the channels' secrets, which configure-module keeps in a state file, never the environment. */
const SECRET_SETTINGS = SETTINGS.filter((s) => s.source === 'secret');
/**
 * A secret's field: null or omitted keeps the stored value, "" clears it, text replaces it. Length
 * and pattern are checked by 10validate, not the schema: core's schema errors repeat the value.
 */
const secretInput = (s: SettingSpec) => ({
  description: `${s.description}. null or omitted: keep the stored value; "": clear it; text: replace it (at most ${s.maxLength} characters, checked by 10validate, which never repeats it)`,
  type: ['string', 'null'],
});
/** get-configuration says whether each secret is stored, never its value. */
const SECRETS_OUTPUT = {
  type: 'object',
  description: 'Whether each channel secret is stored; never the value',
  required: SECRET_SETTINGS.map((s) => s.name),
  additionalProperties: false,
  properties: Object.fromEntries(SECRET_SETTINGS.map((s) => [s.name, { type: 'string', enum: ['set', 'not set'] }])),
};
// The report recipients must be sent (an empty list is a choice); other address lists, like the
// escalation recipients (issue #24), take their default when omitted.
const firstRequired = ACTION_SETTINGS.filter((s) => s.type === 'emails' && s.name === 'mail_to').map((s) => s.name);

export function configureInput(): unknown {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'http://schema.nethserver.org/backup-monitor/configure-module-input.json',
    title: 'configure-module input',
    description:
      'Configure who receives backup reports and how runs are judged. Omitted optional fields take their default (the whole configuration is replaced).',
    examples: [
      Object.fromEntries(
        firstRequired.map((n) => [n, [(example(ACTION_SETTINGS.find((s) => s.name === n)!) as string[])[0]]]),
      ),
      Object.fromEntries(ACTION_SETTINGS.map((s) => [s.name, example(s)])),
      Object.fromEntries(firstRequired.map((n) => [n, []])),
    ],
    type: 'object',
    required: firstRequired,
    additionalProperties: false,
    properties: {
      ...Object.fromEntries(ACTION_SETTINGS.map((s) => [s.name, inputProperty(s)])),
      ...Object.fromEntries(SECRET_SETTINGS.map((s) => [s.name, secretInput(s)])),
    },
  };
}

export function configurationOutput(): unknown {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'http://schema.nethserver.org/backup-monitor/get-configuration-output.json',
    title: 'get-configuration output',
    description: 'The current settings (defaults filled in) and the public part of the cluster smarthost',
    examples: [
      {
        ...Object.fromEntries(
          ACTION_SETTINGS.map((s) => [s.name, s.type === 'emails' ? [(example(s) as string[])[0]] : s.default]),
        ),
        smarthost: { enabled: true, host: 'smtp.example.org', port: 587 },
        secrets: Object.fromEntries(SECRET_SETTINGS.map((s) => [s.name, 'not set'])),
        plans: [
          {
            id: 2,
            name: 'Weekly SMB',
            destination: 'NAS share',
            schedule: 'Sun *-*-* 03:00:00',
            schedule_hint: {},
            enabled: true,
            instances: 4,
          },
        ],
      },
    ],
    type: 'object',
    required: [...ACTION_SETTINGS.map((s) => s.name), 'smarthost', 'plans', 'secrets'],
    additionalProperties: false,
    properties: {
      ...Object.fromEntries(ACTION_SETTINGS.map((s) => [s.name, outputProperty(s)])),
      plans: PLANS_OUTPUT,
      secrets: SECRETS_OUTPUT,
      smarthost: {
        type: 'object',
        required: ['enabled', 'host', 'port'],
        additionalProperties: false,
        properties: {
          enabled: { type: 'boolean' },
          host: { type: 'string' },
          port: { type: 'integer', minimum: 0, maximum: 65535 },
        },
      },
    },
  };
}

/** The unit passes these variables of the module environment into the container. */
export function unitEnvLines(): string[] {
  return SETTINGS.flatMap((s) => {
    if (s.source === 'fixed') return [`    --env=${s.env}=${String(s.default)} \\`];
    return ['ns8', 'action', 'environment'].includes(s.source) ? [`    --env=${s.env} \\`] : [];
  });
}

const cell = (t: string) => t.replace(/\|/g, '\\|');
function defaultText(s: SettingSpec): string {
  if (s.defaultText) return s.defaultText;
  if (s.type === 'bool') return s.default ? '1' : '0';
  if (s.default === '' || (Array.isArray(s.default) && s.default.length === 0)) return '(empty)';
  return /[[\]]/.test(String(s.default)) ? `\`${String(s.default)}\`` : String(s.default);
}

export function environmentTable(): string[] {
  return [
    '| variable | YAML key | default | set by | meaning |',
    '|---|---|---|---|---|',
    ...SETTINGS.filter((s) => s.config !== null).map((s) => {
      const meaning =
        s.type === 'enum' && s.name !== 'log_level'
          ? `${s.docs ?? s.description}: ${s.values!.join(' | ')}`
          : (s.docs ?? s.description);
      return `| ${s.env}${s.secret ? '(_FILE)' : ''} | ${s.yaml} | ${cell(defaultText(s))} | ${s.source} | ${cell(meaning)} |`;
    }),
  ];
}

function range(s: SettingSpec): string {
  switch (s.type) {
    case 'emails':
      return `array of emails (≤ ${s.maxItems}, unique); \`[]\` = keep reports, mail nobody`;
    case 'email':
      return 'email or `""`';
    case 'text':
      if (s.source === 'secret') return `string ≤ ${s.maxLength} characters or null (keep); \`""\` clears`;
      return s.pattern === 'time_hhmm'
        ? '`HH:MM` (00:00–23:59)'
        : `string ≤ ${s.maxLength} characters${s.pattern === 'env_safe_line' ? ', no quotes / `$` / backslash / control characters, no edge spaces' : ''}`;
    case 'enum':
      return s.values!.map((v) => `\`${v}\``).join(' | ');
    case 'bool':
      return 'boolean';
    case 'plan_policies':
      return `array (≤ ${s.maxItems}) of \`{plan_id, policy, mail_to}\`; policy \`default\` | \`always\` | \`problems\` | \`digest\` | \`off\`; ≤ ${s.maxRecipients} addresses`;
    default:
      return `${s.min}–${s.max}`;
  }
}

export function actionTable(): string[] {
  return [
    '| field | type, range | default | environment variable | meaning |',
    '|---|---|---|---|---|',
    ...[...ACTION_SETTINGS, ...SECRET_SETTINGS].map((s) => {
      const env = `\`${s.env}\`${s.source === 'secret' ? ' (state file, never the environment)' : ''}${s.type === 'emails' ? ' (comma-joined)' : s.type === 'bool' ? ' (1/0)' : ''}`;
      const def =
        Array.isArray(s.default) && s.default.length === 0
          ? '—'
          : `\`${JSON.stringify(s.default).replace(/^"(.+)"$/, '$1')}\``;
      return `| \`${s.name}\` | ${cell(range(s))} | ${def} | ${env} | ${cell(s.docs ?? s.description)} |`;
    }),
  ];
}

const BEGIN =
  '<!-- settings table: generated from imageroot/pypkg/backup_monitor/settings.json by `npm run settings` -->';
const END = '<!-- end of settings table -->';

function replaceBetween(text: string, file: string, lines: string[]): string {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${file}: no settings table markers`);
  return `${text.slice(0, a)}${BEGIN}\n${lines.join('\n')}\n${text.slice(b)}`;
}

function replaceUnitEnv(text: string): string {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => /^ {4}--env=/.test(l));
  let last = first;
  while (last + 1 < lines.length && /^ {4}--env=/.test(lines[last + 1]!)) last++;
  if (first < 0) throw new Error('unit: no --env= lines');
  lines.splice(first, last - first + 1, ...unitEnvLines());
  return lines.join('\n');
}

/** Every generated file: repo-relative path -> (current text -> wanted text). */
export const GENERATED: Record<string, (current: string) => string> = {
  'imageroot/actions/configure-module/validate-input.json': () => formatJson(configureInput()) + '\n',
  'imageroot/actions/get-configuration/validate-output.json': () => formatJson(configurationOutput()) + '\n',
  'imageroot/systemd/user/backup-monitor.service': replaceUnitEnv,
  'docs/ARCHITECTURE.md': (t) => replaceBetween(t, 'docs/ARCHITECTURE.md', environmentTable()),
  'docs/MODULE.md': (t) => replaceBetween(t, 'docs/MODULE.md', actionTable()),
};

/** Files whose content differs from what the manifest gives. */
export function outOfDate(): string[] {
  return Object.entries(GENERATED)
    .filter(([file, make]) => {
      const current = readFileSync(path.join(ROOT, file), 'utf8');
      return make(current) !== current;
    })
    .map(([file]) => file);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const stale = outOfDate();
    for (const f of stale) console.error(`${f}: out of date with the settings manifest (npm run settings)`);
    process.exit(stale.length ? 1 : 0);
  }
  for (const [file, make] of Object.entries(GENERATED)) {
    const full = path.join(ROOT, file);
    const current = readFileSync(full, 'utf8');
    const wanted = make(current);
    if (wanted !== current) {
      writeFileSync(full, wanted);
      console.log(`wrote ${file}`);
    }
  }
}
