// SPDX-License-Identifier: GPL-3.0-or-later
// js-yaml, loaded on first use: the running service needs YAML only for a --config file or when
// asked for the Alertmanager route snippet, and holding the parser from the start costs about
// 3 MB of the idle service's memory (issue #10). The package's CommonJS build loads synchronously.
import { createRequire } from 'node:module';

type JsYaml = typeof import('js-yaml');
let loaded: JsYaml | null = null;

export const jsYaml = (): JsYaml => (loaded ??= createRequire(import.meta.url)('js-yaml') as JsYaml);
