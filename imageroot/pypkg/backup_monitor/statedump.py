# SPDX-License-Identifier: GPL-3.0-or-later
"""The service's own Redis state in a file, so it travels with the module's backup, clone and move.

NS8 keeps a module's files, not its Redis keys: a restore, a clone and a move start from a fresh
instance whose `module/<new id>/*` is empty (and a move then erases the old keys). ns8-core
docs/modules/backup_restore.md, "Save Redis keys", says how a module keeps them: dump them in
bin/module-dump-state into a file listed in etc/state-include.conf, load them back in a
restore-module step after 10restore. Clone and move copy the state directory with rsync
(transfer-state), so the same file is made by a transfer-state step and loaded by a
clone-module step after 10recvstate.

Format: one JSON document (mode 600) {format, module_id, dumped_at, keys: [{key, expires_at,
payload}]}: `key` is the name under `module/<id>/` (so the state loads under a new id), the
payload is Redis DUMP output (base64) and `expires_at` the key's absolute expiry in unix ms
(reports expire after 180 days: a restore months later does not make them live longer).
"""

import base64
import json
import os
import time

DUMP_FILE = 'backup-monitor-state.json'
FORMAT = 1

# What the service writes under module/<id>/ (src/domain/records.ts, moduleKeys) and keeps:
STATE_KEYS = ('plans', 'outbox', 'history', 'watchdog', 'runlog', 'digest', 'index', 'runs', 'silences',
              'snapshot-counts', 'maintenance', 'trends')
STATE_PATTERNS = ('report/*',)
# ... and the Redis type of each (docs/ARCHITECTURE.md "Records"): a dump holding another type is
# refused, or the service would fail every run with WRONGTYPE (issue #25 item 9).
STATE_TYPES = {'plans': 'hash', 'outbox': 'hash', 'history': 'list', 'watchdog': 'hash', 'runlog': 'list',
               'digest': 'string', 'index': 'hash', 'runs': 'hash', 'report/*': 'string', 'silences': 'hash',
               'snapshot-counts': 'hash', 'maintenance': 'hash', 'trends': 'hash'}
# ... and what it rebuilds on its own, so a copy would only be stale (link health checks, the
# writer lease, the history facets, the count of unfinished Loki reads of a run, the repositories
# nobody owns: read again at the next digest).
TRANSIENT_KEYS = ('health', 'writer', 'facets', 'loki-reads', 'unowned-repositories')
# Everything else under module/<id>/ belongs to NS8 (environment, ui_name, ui_note, flags,
# roles/*, metrics_*): core restores or rewrites those itself.

# A dump bigger than this is refused rather than loaded (history is capped at 500 reports).
MAX_DUMP_BYTES = 256 * 1024 * 1024


class StateDumpError(Exception):
    """The dump file cannot be loaded; nothing was written to Redis."""


def dump_path():
    return os.path.join(os.environ['AGENT_STATE_DIR'], DUMP_FILE)


def _text(name):
    return name.decode() if isinstance(name, bytes) else name


def _scan(rdb, match):
    return sorted(_text(n) for n in rdb.scan_iter(match=match, count=1000))


def _state_names(rdb, module_id):
    base = f'module/{module_id}/'
    names = [base + k for k in STATE_KEYS]
    for pattern in STATE_PATTERNS:
        names.extend(_scan(rdb, base + pattern))
    return names


def _now_ms(_rdb):
    # The node's clock (module users may not run TIME); NS8 nodes keep time with chrony.
    return int(time.time() * 1000)


def dump(rdb, module_id):
    """The state document of module/<module_id>/.

    rdb must return bytes (redis_connect(..., decode_responses=False)): DUMP output is binary.
    """
    base = f'module/{module_id}/'
    names = _state_names(rdb, module_id)
    now_ms = _now_ms(rdb)
    pipe = rdb.pipeline(transaction=True)
    for name in names:
        pipe.dump(name)
        pipe.pttl(name)
    replies = pipe.execute()
    entries = []
    for i, name in enumerate(names):
        payload, ttl = replies[2 * i], replies[2 * i + 1]
        if payload is None:
            continue  # absent, or expired between SCAN and DUMP
        entries.append({
            'key': name[len(base):],
            'expires_at': now_ms + int(ttl) if int(ttl) >= 0 else None,
            'payload': base64.b64encode(payload).decode('ascii'),
        })
    return {'format': FORMAT, 'module_id': module_id, 'dumped_at': now_ms, 'keys': entries}


def write_dump(rdb, module_id, path=None):
    """Dump to the file atomically, mode 600 (reports name applications and recipients)."""
    path = path or dump_path()
    doc = dump(rdb, module_id)
    tmp = f'{path}.tmp'
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return doc


def _valid_suffix(key):
    if not isinstance(key, str) or not key or '\n' in key:
        return False
    if key in STATE_KEYS:
        return True
    return any(p.endswith('*') and key.startswith(p[:-1]) and len(key) > len(p) - 1 for p in STATE_PATTERNS)


def read_dump(path=None):
    """The parsed document, or None when there is no file. Raises StateDumpError if unusable."""
    path = path or dump_path()
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        return None
    if size > MAX_DUMP_BYTES:
        raise StateDumpError(f'{path}: {size} bytes, more than {MAX_DUMP_BYTES}')
    try:
        with open(path) as f:
            doc = json.load(f)
    except ValueError as ex:
        raise StateDumpError(f'{path}: not JSON ({ex})') from None
    if not isinstance(doc, dict) or doc.get('format') != FORMAT or not isinstance(doc.get('keys'), list):
        raise StateDumpError(f'{path}: not a format {FORMAT} state dump')
    seen = set()
    for entry in doc['keys']:
        if not isinstance(entry, dict) or not _valid_suffix(entry.get('key')):
            raise StateDumpError(f'{path}: unexpected key {entry.get("key") if isinstance(entry, dict) else entry!r}')
        if entry['key'] in seen:  # staged twice, its second RENAME would fail mid-swap
            raise StateDumpError(f'{path}: {entry["key"]} is listed twice')
        seen.add(entry['key'])
        exp = entry.get('expires_at')
        if exp is not None and (not isinstance(exp, int) or isinstance(exp, bool)):
            raise StateDumpError(f'{path}: bad expires_at for {entry["key"]}')
        try:
            entry['raw'] = base64.b64decode(entry.get('payload', ''), validate=True)
        except (ValueError, TypeError):
            raise StateDumpError(f'{path}: bad payload for {entry["key"]}') from None
    return doc


STAGING = 'restoring/'


def expected_type(key):
    """The Redis type the service keeps under module/<id>/<key>."""
    if key in STATE_TYPES:
        return STATE_TYPES[key]
    return next(t for p, t in STATE_TYPES.items() if p.endswith('*') and key.startswith(p[:-1]))


def _wrong_types(rdb, staged):
    """'<key> is a <type>, ...' for every staged key of another type than the service's."""
    pipe = rdb.pipeline(transaction=False)
    for name, _final, _key in staged:
        pipe.type(name)
    problems = []
    for (_name, _final, key), found in zip(staged, pipe.execute()):
        found = _text(found)
        if found != expected_type(key):
            problems.append(f'{key} is a {found}, the service keeps a {expected_type(key)} there')
    return problems


def load(rdb, module_id, doc):
    """Replace module/<module_id>/'s state with the document's. Returns the number of keys written.

    Keys already expired are skipped. Every payload is first restored under
    module/<id>/restoring/…, and its Redis type checked against the service's; only when Redis
    accepted all of them (a payload from a newer Redis is refused) and every type is right, one
    transaction deletes the old state and renames the staged keys into place, so a refused dump
    leaves the state as it was. (No Lua: module users may not run scripts.)
    """
    base = f'module/{module_id}/'
    now_ms = _now_ms(rdb)
    # A key due to expire within the next minute is not worth it (and could vanish before RENAME).
    live = [e for e in doc['keys'] if e.get('expires_at') is None or e['expires_at'] > now_ms + 60000]
    stale = _scan(rdb, base + STAGING + '*')  # left by a load that was killed
    if stale:
        rdb.delete(*stale)
    staged = []
    try:
        for entry in live:
            name = base + STAGING + entry['key']
            exp = entry.get('expires_at')
            rdb.restore(name, exp if exp is not None else 0, entry['raw'], replace=True, absttl=exp is not None)
            staged.append((name, base + entry['key'], entry['key']))
    except Exception as ex:  # redis.ResponseError: bad payload or RDB version
        _drop(rdb, staged)
        raise StateDumpError(f'Redis refused the state of {entry["key"]}: {ex}') from None
    wrong = _wrong_types(rdb, staged) if staged else []
    if wrong:
        _drop(rdb, staged)
        raise StateDumpError('; '.join(wrong))
    current = _state_names(rdb, module_id)
    pipe = rdb.pipeline(transaction=True)
    if current:
        pipe.delete(*current)
    for name, final, _key in staged:
        pipe.rename(name, final)
    pipe.execute()
    return len(staged)


def _drop(rdb, staged):
    if staged:
        rdb.delete(*[name for name, _final, _key in staged])


def remove_dump(path=None):
    try:
        os.unlink(path or dump_path())
    except FileNotFoundError:
        pass
