"""Reading analysis input files and checking their columns once, at the edge."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rocc.analysis.errors import AnalysisInputError


def read_table(path: str | Path, *, header: bool = True) -> pd.DataFrame:
    """Read a CSV (any common encoding, with or without BOM), Excel or Parquet file into a data frame.

    With ``header=False`` the columns are named by position: "1", "2", ...
    """
    path = Path(path)
    if not path.exists():
        raise AnalysisInputError(f"file not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            frame = pd.read_excel(path, header=0 if header else None, dtype=object)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(
                path,
                header=0 if header else None,
                dtype=str,
                encoding="utf-8-sig",
                keep_default_na=False,
                skipinitialspace=True,
            )
    except pd.errors.EmptyDataError:
        raise AnalysisInputError(f"{path.name}: the file is empty") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise AnalysisInputError(f"{path.name}: cannot be read as a table ({exc})") from None
    if not header:
        frame.columns = [str(i + 1) for i in range(frame.shape[1])]
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise AnalysisInputError(f"{path.name}: the file has no rows")
    return frame


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """The named column, or an error that lists the columns the file does have."""
    if name not in frame.columns:
        raise AnalysisInputError(f"no such column; the file has: {', '.join(map(str, frame.columns))}", column=name)
    return frame[name]


def numeric_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A column as float64; the first non-numeric or missing cell is reported by row (1-based, header excluded)."""
    raw = column(frame, name)
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise AnalysisInputError(f"expected a number, found {raw.iloc[first]!r}", column=name, row=first + 1)
    return values.to_numpy(dtype=np.float64)


def datetime_column(frame: pd.DataFrame, name: str, *, blank_allowed: bool = False, dayfirst: bool = True) -> np.ndarray:
    """A column of date-times as datetime64[ns] (local clock time as written; NaT for blanks when
    ``blank_allowed``). ISO date-times are read as such; slashed ones day first (New Zealand convention)
    unless ``dayfirst=False``. The first blank or unreadable cell is reported by row (1-based, header excluded)."""
    return _parse_times(frame, name, blank_allowed=blank_allowed, dayfirst=dayfirst, expected="a date and time")


def date_column(frame: pd.DataFrame, name: str, *, dayfirst: bool = True) -> np.ndarray:
    """A column of dates as numpy datetime64[D], read as ``datetime_column`` reads them, times dropped."""
    return _parse_times(frame, name, blank_allowed=False, dayfirst=dayfirst, expected="a date").astype("datetime64[D]")


def _parse_times(frame: pd.DataFrame, name: str, *, blank_allowed: bool, dayfirst: bool, expected: str) -> np.ndarray:
    raw = column(frame, name)
    text = raw.astype(str).str.strip()
    blank = raw.isna() | text.eq("") | text.str.lower().isin({"nan", "nat", "none"})
    if blank.any() and not blank_allowed:
        row = int(np.flatnonzero(blank.to_numpy())[0])
        raise AnalysisInputError(f"expected {expected}, found a blank", column=name, row=row + 1)
    iso = text.str.match(r"^\d{4}-\d{2}-\d{2}") & ~blank
    other = ~iso & ~blank
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if iso.any():
        parsed[iso] = pd.to_datetime(text[iso], format="ISO8601", errors="coerce")
    if other.any():
        parsed[other] = pd.to_datetime(text[other], dayfirst=dayfirst, errors="coerce", format="mixed")
    unreadable = parsed.isna() & ~blank
    if unreadable.any():
        row = int(np.flatnonzero(unreadable.to_numpy())[0])
        raise AnalysisInputError(f"expected {expected}, found {raw.iloc[row]!r}", column=name, row=row + 1)
    return parsed.to_numpy()


def rng(seed: int | np.random.Generator | None) -> tuple[np.random.Generator, int | None]:
    """The generator an analysis draws from and the seed its result records.

    An integer seed gives the same draws every time and is recorded; None draws a fresh seed, which is recorded too
    so that the run can be repeated; a Generator is used as it is (its seed is the caller's to keep, so None).
    """
    if isinstance(seed, np.random.Generator):
        return seed, None
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    whole = _whole_seed(seed)
    return np.random.default_rng(whole), whole


def seed_int(seed: int | np.random.Generator) -> int:
    """An integer seed for a library that takes one rather than a Generator (igraph): the seed itself, or one drawn
    from the Generator so that the same Generator state gives the same answer."""
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**31 - 1))
    return _whole_seed(seed)


def _whole_seed(seed: object) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise AnalysisInputError(f"seed must be a whole number of at least 0 or a numpy Generator, not {seed!r}")
    return int(seed)
