"""Text as te reo Māori needs it: stored in NFC with macrons, searched with or without them."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """The canonical stored form: composed characters, so 'ā' is one code point however it was typed."""
    return unicodedata.normalize("NFC", text or "").strip()


def fold(text: str) -> str:
    """The search form: lower case with macrons and other accents removed, so 'whanau' matches 'whānau'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()
