// SPDX-License-Identifier: GPL-3.0-or-later
// Languages of the mails and messages (NS8's _en/_it convention).
export type Language = 'en' | 'it';
