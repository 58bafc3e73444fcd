"""Seeded synthetic events for the event-store benchmarks: an import file (CSV) as a district extract writes
it, and the store's own columns for the numerator and lookup benchmarks. Big files go under /tmp.

Run on its own to write an import file:
    .venv/bin/python benchmarks/generate_events.py --events 1000000 --out /tmp/rocc-events-1m.csv
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import pandas as pd

# The 12 districts and the national unit: 13 units, as the numerator target names them.
DISTRICTS = [
    "northland",
    "waitemata",
    "auckland-city",
    "counties-manukau",
    "waikato",
    "bay-of-plenty",
    "eastern",
    "central",
    "wellington",
    "tasman",
    "canterbury",
    "southern",
]
# Names as Police extracts write them (aliases and macron-less spellings the importer resolves).
EXTRACT_NAMES = [
    "Northland",
    "Waitemata",
    "Auckland City",
    "Counties/Manukau",
    "Waikato",
    "Bay Of Plenty",
    "Eastern",
    "Central",
    "Wellington",
    "Tasman",
    "Canterbury",
    "Southern",
]
SUBDIVISIONS = [
    "011",
    "021",
    "029",
    "031",
    "032",
    "041",
    "049",
    "051",
    "052",
    "053",
    "061",
    "062",
    "071",
    "081",
    "082",
    "083",
    "084",
    "091",
    "092",
    "101",
    "104",
    "111",
    "112",
    "121",
    "122",
    "131",
    "132",
    "133",
    "141",
    "142",
    "151",
    "153",
    "161",
    "169",
]
FIRST_DAY = np.datetime64("2015-01-01", "D")
DAYS = 120 * 30  # ten years


def _skewed(rng: np.random.Generator, n: int, population: int) -> np.ndarray:
    """Person numbers with a lognormal propensity, so a few people suffer many events (repeat victims)."""
    weights = rng.lognormal(0.0, 1.5, population)
    return rng.choice(population, size=n, p=weights / weights.sum())


def store_columns(n: int, seed: int = 20261121) -> dict[str, np.ndarray]:
    """Events in the store's columns: dates over ten years, 13 units (12 districts; some events only at
    national level), 16 offence divisions, NZTM places, a victim per event."""
    rng = np.random.default_rng(seed)
    district = rng.integers(0, len(DISTRICTS), n)
    days = FIRST_DAY + rng.integers(0, DAYS, n).astype("timedelta64[D]")
    minutes = rng.integers(0, 24 * 60, n).astype("timedelta64[m]")
    subdivision = np.array(SUBDIVISIONS, dtype=object)[rng.integers(0, len(SUBDIVISIONS), n)]
    return {
        "district": district,
        "date_from": (days.astype("datetime64[m]") + minutes).astype("datetime64[us]"),
        "offence_code": subdivision,
        "x": rng.uniform(1_100_000, 2_000_000, n),
        "y": rng.uniform(4_800_000, 6_100_000, n),
        "victim": _skewed(rng, n, population=max(n // 2, 10)),
    }


def import_file(path: Path, n: int, seed: int = 20261121) -> Path:
    """A CSV extract with n events: ISO dates and times, ANZSOC group codes, NZTM places, district names as
    extracts spell them, victim and (for a third) offender identifiers."""
    rng = np.random.default_rng(seed)
    columns = store_columns(n, seed)
    frame = pd.DataFrame(
        {
            "Occurrence ID": np.char.add("OCC-", np.arange(1, n + 1).astype(str)),
            "Date": pd.Series(columns["date_from"]).dt.strftime("%Y-%m-%d %H:%M"),
            "Offence": np.char.add(columns["offence_code"].astype(str), rng.integers(1, 3, n).astype(str)),
            "District": np.array(EXTRACT_NAMES, dtype=object)[columns["district"]],
            "X": np.round(columns["x"]).astype(np.int64),
            "Y": np.round(columns["y"]).astype(np.int64),
            "Victim ID": np.char.add("PRN-", columns["victim"].astype(str)),
            "Offender ID": np.where(rng.random(n) < 0.33, np.char.add("PRN-O", rng.integers(0, n // 5 + 1, n).astype(str)), ""),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
    return path


MAPPING = {
    "name": "benchmark-extract",
    "event_id": "Occurrence ID",
    "date": "Date",
    "offence_code": "Offence",
    "unit": "District",
    "x": "X",
    "y": "Y",
    "persons": [{"role": "victim", "identifier": "Victim ID"}, {"role": "offender", "identifier": "Offender ID"}],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--out", type=Path, default=Path("/tmp/rocc-events.csv"))
    args = parser.parse_args()
    import_file(args.out, args.events, args.seed)
    print(f"wrote {args.out} ({args.events:,} events, {args.out.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
