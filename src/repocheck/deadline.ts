// SPDX-License-Identifier: GPL-3.0-or-later
// A leaf of repocheck/: every read of the destination (checks, snapshots, the unowned list) ends by one.
/**
 * A signal that fires after `ms` or when `parent` fires. Built from a plain timer on purpose:
 * AbortSignal.timeout() combined with AbortSignal.any() can be garbage-collected before it
 * fires (nodejs/node#57736), and then a hung check would wait for ever.
 */
export function deadline(ms: number, parent?: AbortSignal): { signal: AbortSignal; expired(): boolean; clear(): void } {
  const ctl = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    ctl.abort(new DOMException('the check took too long', 'TimeoutError'));
  }, ms);
  const onParent = () => ctl.abort(parent!.reason);
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: ctl.signal,
    expired: () => expired,
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}
