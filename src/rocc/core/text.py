"""Text as te reo Māori needs it: stored in NFC with macrons, searched with or without them."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """The canonical stored form: composed characters, so 'ā' is one code point however it was typed."""
    return unicodedata.normalize("NFC", text or "").strip()


#: Apostrophes that word processors and phones type in place of the ASCII one: the right and left single quotation
#: marks (U+2019, U+2018) and the modifier letter apostrophe (U+02BC). Searching folds each to "'", so "Hawke’s Bay"
#: and "O’Neill" find what was typed as "Hawke's Bay" and "O'Neill".
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def fold(text: str) -> str:
    """The search form: lower case with macrons and other accents removed and typographic apostrophes made ASCII, so
    'whanau' matches 'whānau' and 'Hawke’s Bay' matches "Hawke's Bay"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_APOSTROPHES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()
