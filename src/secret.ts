// SPDX-License-Identifier: GPL-3.0-or-later
// A value that prints as <secret> wherever it goes: logs, JSON, inspect, template strings.
import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '<secret>';
  }
  toJSON(): string {
    return '<secret>';
  }
  [inspect.custom](): string {
    return '<secret>';
  }
}

/** Removes credentials from URLs and known secret values from a message before it is logged. */
export function redact(message: string, secrets: (Secret | string | null | undefined)[] = []): string {
  let out = message.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^/@\s:]*)(:[^/@\s]*)?@/gi, '$1<secret>@');
  for (const s of secrets) {
    const v = s instanceof Secret ? s.reveal() : s;
    if (v && v.length >= 3) out = out.split(v).join('<secret>');
  }
  return out;
}
