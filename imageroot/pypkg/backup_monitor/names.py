# SPDX-License-Identifier: GPL-3.0-or-later
"""Names from outside without their invisible characters (issue #25).

The same list as src/domain/names.ts (INVISIBLE_RANGES): zero-width spaces and joiners, direction
marks, embeddings, overrides and isolates, word joiner and invisible operators, deprecated
format characters, byte order mark, blank fillers, annotation controls and tag characters.
test/domain/names.test.ts checks that both remove exactly the same code points.
"""

import re

INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),    # soft hyphen
    (0x034F, 0x034F),    # combining grapheme joiner
    (0x061C, 0x061C),    # arabic letter mark
    (0x115F, 0x1160),    # hangul choseong/jungseong fillers
    (0x17B4, 0x17B5),    # khmer inherent vowels
    (0x180E, 0x180E),    # mongolian vowel separator
    (0x200B, 0x200F),    # zero-width space, non-joiner, joiner, LRM, RLM
    (0x202A, 0x202E),    # LRE, RLE, PDF, LRO, RLO
    (0x2060, 0x2064),    # word joiner, invisible operators
    (0x2066, 0x2069),    # LRI, RLI, FSI, PDI
    (0x206A, 0x206F),    # deprecated format characters
    (0x3164, 0x3164),    # hangul filler
    (0xFEFF, 0xFEFF),    # zero-width no-break space (BOM)
    (0xFFA0, 0xFFA0),    # halfwidth hangul filler
    (0xFFF9, 0xFFFB),    # interlinear annotation controls
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical symbol format controls
    (0xE0000, 0xE007F),  # tag characters
)

_INVISIBLE = re.compile('[' + ''.join(
    re.escape(chr(a)) if a == b else f'{re.escape(chr(a))}-{re.escape(chr(b))}' for a, b in INVISIBLE_RANGES
) + ']')


def strip_invisible(name):
    """The name without invisible characters; anything that is not a string is returned as is."""
    return _INVISIBLE.sub('', name) if isinstance(name, str) else name
