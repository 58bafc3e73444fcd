"""Pseudonymising person identifiers with a keyed hash (HMAC-SHA256) whose key never enters the database.

The key comes from the environment variable ROCC_PSEUDONYM_KEY or, failing that, from the file
``pseudonym_key`` in the data directory (created with a random key on first use, readable by its owner
only). The same identifier always gives the same person key under the same key, so imports and the
Victim Focus lookup meet; without the key a person key cannot be turned back into the identifier or
recomputed from a guessed one. Back the key up with the data directory: a new key starts a new set of
person keys.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings

KEY_FILE = "pseudonym_key"
KEY_BYTES = 32
PERSON_KEY_HEX = 32  # 128 bits of the HMAC: collision-free for any realistic number of people
_SPACE = re.compile(r"\s+")


class PseudonymKeyError(RuntimeError):
    """The key cannot be read or created; the message says where and how to fix it."""


def _data_dir() -> Path:

    return Path(settings.ROCC_DATA_DIR)


def pseudonym_key() -> bytes:
    """The secret key: ROCC_PSEUDONYM_KEY (text, at least 32 characters) or the key file, created on first use."""
    from_env = os.environ.get("ROCC_PSEUDONYM_KEY", "").strip()
    if from_env:
        if len(from_env) < 32:
            raise PseudonymKeyError("ROCC_PSEUDONYM_KEY is shorter than 32 characters: use a long random value")
        return from_env.encode("utf-8")
    path = _data_dir() / KEY_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        raise PseudonymKeyError(f"cannot read the pseudonym key {path} ({exc})") from None
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return bytes.fromhex(path.read_text().strip())
    except OSError as exc:
        raise PseudonymKeyError(f"cannot create the pseudonym key {path} ({exc.strerror})") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex() + "\n")
    return key


def normalised_identifier(identifier: str) -> str:
    """The identifier as it is hashed: NFC, trimmed, inner spaces collapsed, case-folded,
    so "AB 123", "ab  123" and " Ab 123 " are one person."""
    text = unicodedata.normalize("NFC", str(identifier))
    return _SPACE.sub(" ", text).strip().casefold()


def person_key(identifier: str, *, key: bytes | None = None) -> str:
    """The pseudonymous key of one person identifier (32 hex characters); used by import and by lookup."""
    text = normalised_identifier(identifier)
    if not text:
        raise ValueError("an empty identifier has no person key")
    digest = hmac.digest(key or pseudonym_key(), text.encode("utf-8"), hashlib.sha256)
    return digest[: PERSON_KEY_HEX // 2].hex()


def person_keys(identifiers: Iterable[str], *, key: bytes | None = None) -> np.ndarray:
    """Person keys for many identifiers (each distinct identifier normalised and hashed once); blanks give ""."""
    key = key or pseudonym_key()
    series = pd.Series(identifiers if isinstance(identifiers, (np.ndarray, pd.Series)) else list(identifiers), dtype="str")
    codes, distinct = pd.factorize(series.fillna(""))
    # The same normalisation as normalised_identifier, column-wise.
    texts = pd.Series(distinct, dtype="str").str.normalize("NFC").str.replace(_SPACE.pattern, " ", regex=True).str.strip().str.casefold()
    digest = hmac.digest
    keys = np.array(
        [digest(key, text.encode("utf-8"), "sha256")[: PERSON_KEY_HEX // 2].hex() if text else "" for text in texts.tolist()],
        dtype=object,
    )
    return keys[codes]
