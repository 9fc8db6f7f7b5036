// SPDX-License-Identifier: GPL-3.0-or-later
// The record store used to be called the outbox; bench/history.ts and two tests owned by others
// still import it by that name. New code imports createRecordStore from ./record-store.js.
export { createRecordStore as createOutbox } from './record-store.js';
