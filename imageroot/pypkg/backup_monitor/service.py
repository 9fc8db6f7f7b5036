# SPDX-License-Identifier: GPL-3.0-or-later
"""Talk to the running service on 127.0.0.1:$TCP_PORT (host network, loopback only)."""

import json
import os
import urllib.error
import urllib.request

from .errors import failure
from .secrets import read_receiver_token

HTTP_CODES = {401: 'UNAUTHORIZED', 404: 'NOT_FOUND'}
TIMEOUT_SECONDS = 90  # a test mail may wait for a slow smarthost (connect + greeting + send)


def call(method, path, body=None):
    """(HTTP status, decoded JSON body). A service that does not answer gives status 0 and an
    error object with code SERVICE_UNAVAILABLE, so callers handle one shape."""
    url = f"http://127.0.0.1:{os.environ['TCP_PORT']}{path}"
    headers = {'Accept': 'application/json'}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers['Content-Type'] = 'application/json'
    token = os.environ.get('RECEIVER_TOKEN') or read_receiver_token()
    if token:
        headers['Authorization'] = f'Bearer {token}'
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, _decode(response.read())
    except urllib.error.HTTPError as e:
        answer = _decode(e.read())
        # Plain HTTP errors (401 from the token check, 404, 415) carry only {error}: give them
        # the same {ok, code, error} shape as the service's own failures.
        answer.setdefault('ok', False)
        answer.setdefault('code', HTTP_CODES.get(e.code, f'HTTP_{e.code}'))
        answer.setdefault('error', f'HTTP {e.code}')
        return e.code, answer
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, 'reason', e)
        return 0, failure('SERVICE_UNAVAILABLE', f' on 127.0.0.1:{os.environ["TCP_PORT"]} ({reason}); '
                                                 'check it with: systemctl --user status backup-monitor')


def _decode(raw):
    try:
        value = json.loads(raw or b'{}')
    except ValueError:
        value = None
    return value if isinstance(value, dict) else failure('BAD_RESPONSE')
