# SPDX-License-Identifier: GPL-3.0-or-later
#
# Test stand-in for NS8's `agent.tasks` (core: pypkg/agent/tasks/run.py, apiclient.py), written
# from its protocol, not copied. run(agent_id, action, data) talks to the API server as a module
# does (NS8.md §5.1, §5.2):
#   POST {endpoint}/api/<agent_id>/tasks {action, data, parent, extra} with the cached bearer token
#   ($AGENT_STATE_DIR/apitoken.cache, mode 600); on 401, POST /api/login with REDIS_USER /
#   REDIS_PASSWORD and try once more; 429 and 5xx and connection errors are retried with a
#   growing delay; any other HTTP error is raised (core: aiohttp.ClientResponseError).
#   Then GET {endpoint}/api/<agent_id>/task/<id>/status until it stops answering 400/404, and
#   return {'output', 'error', 'exit_code'}.
# Core follows progress over the API server's websocket and polls every 5 s; here the status is
# polled every 100 ms (the websocket only makes core's answer arrive sooner). The endpoint is
# core's default http://cluster-leader:9311 unless SIM_API_ENDPOINT names the simulator's.

import json
import os
import random
import time
import urllib.error
import urllib.request


class TaskError(Exception):
    pass


class TaskRetryAbort(TaskError):
    pass


class HTTPStatusError(TaskError):
    """An HTTP answer that is not retried (core raises aiohttp.ClientResponseError)."""

    def __init__(self, status, url, message):
        super().__init__(f'{status}, message={message!r}, url={url!r}')
        self.status = status


TEMPORARY = (429, 500, 502, 503, 504)


def _endpoint(kwargs):
    return kwargs.get('endpoint') or os.getenv('SIM_API_ENDPOINT', 'http://cluster-leader:9311')


def _cache_file():
    state = os.getenv('AGENT_STATE_DIR')
    return os.path.join(state, 'apitoken.cache') if state else None


def _read_token():
    try:
        with open(_cache_file()) as f:
            return f.read().strip()
    except (OSError, TypeError):
        return ''


def _request(method, url, body=None, token=''):
    headers = {'Content-Type': 'application/json'}
    if token:
        headers['Authorization'] = 'Bearer ' + token
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b'null')
    except urllib.error.HTTPError as ex:
        try:
            payload = json.loads(ex.read() or b'null')
        except ValueError:
            payload = None
        return ex.code, payload


def _login(endpoint):
    status, payload = _request('POST', f'{endpoint}/api/login', {
        'username': os.environ['REDIS_USER'],  # fatal if missing, as in core
        'password': os.environ['REDIS_PASSWORD'],
    })
    if status != 200:
        raise HTTPStatusError(status, f'{endpoint}/api/login', (payload or {}).get('message', ''))
    token = payload['token']
    cache = _cache_file()
    if cache:
        old = os.umask(0o77)
        try:
            with open(cache, 'w') as f:
                f.write(token)
        finally:
            os.umask(old)
    return token


def _call(method, url, endpoint, body=None, attempts=20, delay=0.2, accept=()):
    """One API call with core's retry rules; `accept` lists statuses returned to the caller."""
    token = _read_token()
    relogged = False
    for _ in range(attempts):
        try:
            status, payload = _request(method, url, body, token)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            status, payload = None, None
        if status is not None and 200 <= status < 300 or status in accept:
            return status, payload
        if status == 401 and not relogged:
            token, relogged = _login(endpoint), True
            continue
        if status is not None and status not in TEMPORARY:
            raise HTTPStatusError(status, url, (payload or {}).get('message', '') if isinstance(payload, dict) else '')
        time.sleep(delay + random.uniform(0, delay))
        delay = min(delay * 2, 2.0)
    raise TaskRetryAbort(f'{method} {url} failed after {attempts} attempts')


def run(agent_id, action, data={}, **kwargs):
    """Run a task and wait for it: {'output', 'error', 'exit_code'}."""
    endpoint = _endpoint(kwargs)
    body = {
        'action': action,
        'data': data,
        'parent': kwargs.get('parent', os.getenv('AGENT_TASK_ID', '')),
        'extra': kwargs.get('extra', {}),
    }
    _, created = _call('POST', f'{endpoint}/api/{agent_id}/tasks', endpoint, body)
    status_url = f"{endpoint}/api/{agent_id}/task/{created['data']['id']}/status"
    until = time.monotonic() + float(kwargs.get('timeout', 120))
    while time.monotonic() < until:
        status, payload = _call('GET', status_url, endpoint, accept=(400, 404))
        if status == 200:
            d = payload['data']
            return {'output': d['output'], 'error': d['error'], 'exit_code': d['exit_code']}
        time.sleep(0.1)
    raise TaskRetryAbort(f'{agent_id}/{action}: no result in time')
