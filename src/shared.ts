// SPDX-License-Identifier: GPL-3.0-or-later
// Data shared with the Python actions and the admin page: JSON files in
// imageroot/pypkg/backup_monitor/ (the settings manifest, the error catalogue). The module image
// ships imageroot/ as is; the service image gets the same files at the same place relative to
// dist/ (build-images.sh), so `../imageroot/…` from src/ (tsx) and from dist/ (node) both work.
import { readFileSync } from 'node:fs';

export const sharedUrl = (file: string): URL => new URL(`../imageroot/pypkg/backup_monitor/${file}`, import.meta.url);

export function readShared<T>(file: string): T {
  return JSON.parse(readFileSync(sharedUrl(file), 'utf8')) as T;
}
