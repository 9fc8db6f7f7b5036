# SPDX-License-Identifier: GPL-3.0-or-later
"""The module's error catalogue (errors.json next to this file), shared with the service and the
admin page: each code's kind and its words in English and Italian."""

import json
import os

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'errors.json'), encoding='utf-8') as _f:
    CODES = json.load(_f)['codes']


def words(code, lang='en'):
    """The catalogue's words for `code` (the code itself when it is unknown)."""
    entry = CODES.get(code)
    return entry.get(lang) or entry['en'] if entry else code


def failure(code, detail=''):
    """The {ok, code, error} answer the actions print, in the service's shape."""
    return {'ok': False, 'code': code, 'error': words(code) + detail}
