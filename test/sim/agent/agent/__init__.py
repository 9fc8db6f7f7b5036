# SPDX-License-Identifier: GPL-3.0-or-later
#
# Test stand-in for NS8's Python `agent` library (core: pypkg/agent/__init__.py).
# Same function names and the same semantics the module's steps rely on
# (NS8.md §1.1, §8.5, §8.6), written from the contract, not copied:
# - redis_connect(): leader as `default`; privileged=True -> REDIS_USER/REDIS_PASSWORD;
#   use_replica=True -> REDIS_REPLICA_ADDRESS; decoded UTF-8 strings.
# - set_env()/mset_env()/unset_env()/munset_env(): lock $AGENT_STATE_DIR/.environment.lock
#   (flock, like core's safeio.exclusive_file_lock) and rewrite $AGENT_STATE_DIR/environment
#   only (sorted KEY=VALUE lines, no quoting); a missing environment file raises
#   FileNotFoundError, as core's read_envfile() does; an unparsable line is skipped with a
#   warning. The Redis copy module/<id>/environment is refreshed by the agent runner after
#   the action. (Checked against ns8-core 4f41b35 pypkg/agent/__init__.py and safeio.py.)
# - set_status()/set_progress()/set_weight(): CSV commands on the $AGENT_COMFD descriptor.
# - allocate_ports(): core's wrapper of the node action allocate-ports, run with agent.tasks
#   (test/sim/agent/agent/tasks.py) on node/<NODE_ID>; raises Exception(error) on a non-zero
#   exit code and returns the action's output, the [first, last] port range.
# Only what runs on this machine is real here: redis-py (Debian python3-redis).

import csv
import fcntl
import os
import sys
import tempfile
import traceback
import warnings
from contextlib import contextmanager

import redis

from agent import tasks  # agent.tasks, as core imports it

SD_EMERG = "<0>"
SD_ALERT = "<1>"
SD_CRIT = "<2>"
SD_ERR = "<3>"
SD_WARNING = "<4>"
SD_NOTICE = "<5>"
SD_INFO = "<6>"
SD_DEBUG = "<7>"


def _address(var):
    host, port = os.getenv(var, '127.0.0.1:6379').split(':', 1)
    return host, int(port)


def redis_connect(privileged=False, use_replica=False, **kwargs):
    """Return a redis.Redis client: leader (REDIS_ADDRESS) unless use_replica;
    `default` user unless privileged, then the agent's own credentials."""
    host, port = _address('REDIS_REPLICA_ADDRESS' if use_replica else 'REDIS_ADDRESS')
    if privileged:
        user, password = os.environ['REDIS_USER'], os.environ['REDIS_PASSWORD']
    else:
        user, password = 'default', 'nopass'
    kwargs.setdefault('host', host)
    kwargs.setdefault('port', port)
    kwargs.setdefault('db', 0)
    kwargs.setdefault('username', user)
    kwargs.setdefault('password', password)
    kwargs.setdefault('decode_responses', True)
    return redis.Redis(**kwargs)


def read_envfile(file_path):
    """KEY=VALUE lines -> dict; blank lines and # comments are skipped, values kept raw.
    A missing file raises FileNotFoundError; a line without `=` is skipped with a warning."""
    env = {}
    with open(file_path, 'r') as fo:
        for lineno, line in enumerate(fo, 1):
            record = line.rstrip('\n')
            if record == '' or record.startswith('#'):
                continue
            if '=' not in record:
                warnings.warn(f'read_envfile: Cannot parse line {lineno} in {file_path}', stacklevel=2)
                continue
            key, value = record.split('=', 1)
            env[key] = value
    return env


def write_envfile(file_path, envmap):
    """Atomically replace file_path with sorted KEY=VALUE lines, keeping its mode."""
    payload = "\n".join(sorted(f"{k}={v}" for k, v in envmap.items())) + "\n"
    directory = os.path.dirname(file_path) or '.'
    try:
        mode = os.stat(file_path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(file_path) + '.tmp-', dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, 'w') as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, file_path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@contextmanager
def _locked_env():
    """flock on <dir>/.environment.lock (mode 644), as core's exclusive_file_lock."""
    path = os.environ['AGENT_STATE_DIR'] + '/environment'
    fd = os.open(os.path.dirname(path) + '/.environment.lock', os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def set_env(var_name, var_value):
    mset_env({var_name: var_value})


def mset_env(env_dict):
    if not env_dict:
        return
    with _locked_env() as path:
        envmap = read_envfile(path)
        envmap.update(env_dict)
        write_envfile(path, envmap)


def unset_env(var_name):
    munset_env([var_name])


def munset_env(var_list):
    if not var_list:
        return
    with _locked_env() as path:
        envmap = read_envfile(path)
        if any(envmap.pop(v, None) is not None for v in list(var_list)):
            write_envfile(path, envmap)


def _command(*args):
    # Without the agent's descriptor (a step run by hand) commands go to stderr.
    fd = int(os.getenv('AGENT_COMFD', '2'))
    stream = os.fdopen(fd, mode='w', encoding='utf-8', closefd=False)
    csv.writer(stream, delimiter=' ', quotechar='"', quoting=csv.QUOTE_MINIMAL).writerow(args)
    stream.flush()


def set_status(value):
    _command('set-status', value)


def set_progress(value):
    _command('set-progress', value)


def set_weight(step_name, weight):
    _command('set-weight', step_name, str(weight))


def assert_exp(exp, message='Assertion failed'):
    """Abort the step with exit code 2 and a stack trace, like NS8's helper."""
    if exp:
        return
    if message:
        print(message, file=sys.stderr)
    traceback.print_stack(sys._getframe(1), file=sys.stderr)
    sys.exit(2)


def slurp_file(file_name):
    with open(file_name) as f:
        return f.read().strip()


def get_image_name_from_url(image_url):
    """ghcr.io/nethserver/samba:3.3.1 -> samba"""
    name = image_url.rsplit('/', 1)[-1]
    return name.split('@', 1)[0].split(':', 1)[0]


def get_smarthost_settings(rdb):
    """cluster/smarthost typed; NS8's defaults when the key does not exist."""
    conf = rdb.hgetall('cluster/smarthost')
    if not conf:
        return {"port": 587, "host": "", "username": "", "password": "", "enabled": False,
                "encrypt_smtp": "starttls", "tls_verify": True}
    return {
        "port": int(conf['port']),
        "host": conf['host'],
        "username": conf['username'],
        "password": conf['password'],
        "enabled": conf['enabled'] == "1",
        "encrypt_smtp": conf['encrypt_smtp'],
        "tls_verify": conf['tls_verify'] == "1",
    }


def resolve_agent_id(agent_selector, node_id=None):
    """The subset the module needs: 'node', 'cluster', 'self', 'module/<id>'."""
    node_id = node_id or os.environ.get('NODE_ID')
    if agent_selector == 'node':
        return f'node/{node_id}' if node_id else None
    if agent_selector == 'self':
        return os.environ.get('AGENT_ID')
    if agent_selector == 'cluster' or agent_selector.startswith(('module/', 'node/')):
        return agent_selector
    return None


def allocate_ports(ports_number, protocol, module_id="", keep_existing=False):
    """Run node/<NODE_ID> allocate-ports for the module (MODULE_ID unless given), as core's
    agent.allocate_ports does: its output is [first port, last port]."""
    if module_id == "":
        module_id = os.environ['MODULE_ID']
    response = tasks.run(
        agent_id=f"node/{os.environ['NODE_ID']}",
        action='allocate-ports',
        data={'ports': ports_number, 'module_id': module_id, 'protocol': protocol, 'keep_existing': keep_existing},
        extra={'isNotificationHidden': True},
    )
    if response['exit_code'] != 0:
        raise Exception(f"{response['error']}")
    return response['output']
