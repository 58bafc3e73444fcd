"""A small synthetic boundary set in NZTM2000, drawn by hand so every point's unit can be checked by eye:

    y (northing)
    5,940,000 ┌──────────── Waitematā ───────────┬── Auckland City ──┐
              │  West Auckland   │  North Shore  │  (no areas)       │
    5,910,000 └──────────────────┴───────────────┴───────────────────┘
           1,740,000         1,750,000       1,760,000           1,770,000  x (easting)

Northland is an L (its north-east quarter is cut away) and Counties Manukau a square with a square hole, so concave
shapes and holes are checked too.
"""

from __future__ import annotations

import json
from pathlib import Path

from pyproj import Transformer


def box(west, south, east, north):
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


SHAPES = {
    "waitemata": {"type": "Polygon", "coordinates": [box(1_740_000, 5_910_000, 1_760_000, 5_940_000)]},
    "west-auckland": {"type": "Polygon", "coordinates": [box(1_740_000, 5_910_000, 1_750_000, 5_940_000)]},
    "north-shore": {"type": "Polygon", "coordinates": [box(1_750_000, 5_910_000, 1_760_000, 5_940_000)]},
    "auckland-city": {"type": "Polygon", "coordinates": [box(1_760_000, 5_910_000, 1_770_000, 5_940_000)]},
    "northland": {
        "type": "Polygon",
        "coordinates": [
            [
                [1_600_000, 6_000_000],
                [1_700_000, 6_000_000],
                [1_700_000, 6_050_000],
                [1_650_000, 6_050_000],
                [1_650_000, 6_100_000],
                [1_600_000, 6_100_000],
                [1_600_000, 6_000_000],
            ]
        ],
    },
    "counties-manukau": {
        "type": "Polygon",
        "coordinates": [box(1_770_000, 5_880_000, 1_800_000, 5_910_000), box(1_780_000, 5_890_000, 1_790_000, 5_900_000)[::-1]],
    },
}

# (easting, northing) → the unit it must fall in ("" = outside every boundary), checked by eye against the drawing.
HAND_CHECKED = [
    ((1_755_000, 5_920_000), "north-shore"),
    ((1_745_000, 5_935_000), "west-auckland"),
    ((1_765_000, 5_920_000), "auckland-city"),  # a district with no area boundaries
    ((1_750_000, 5_925_000), "north-shore"),  # on the line between two areas: the first in code order
    ((1_625_000, 6_075_000), "northland"),  # in the L's upright
    ((1_675_000, 6_025_000), "northland"),  # in the L's foot
    ((1_675_000, 6_075_000), ""),  # in the cut-away corner of the L
    ((1_775_000, 5_885_000), "counties-manukau"),
    ((1_785_000, 5_895_000), ""),  # in the hole
    ((1_900_000, 5_500_000), ""),  # far away
]


def feature(code, geometry, **properties):
    return {"type": "Feature", "properties": {"code": code, **properties}, "geometry": geometry}


def to_wgs84(geometry):
    move = Transformer.from_crs("EPSG:2193", "EPSG:4326", always_xy=True)
    rings = [[list(move.transform(x, y)) for x, y in ring] for ring in geometry["coordinates"]]
    return {"type": "Polygon", "coordinates": rings}


def write(path: Path, features, **extra) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": features}), encoding="utf-8")
    return path


def good_file(folder: Path, *, wgs84: bool = False, codes=None, name: str = "boundaries.geojson") -> Path:
    features = [feature(code, to_wgs84(g) if wgs84 else g) for code, g in SHAPES.items() if codes is None or code in codes]
    return write(folder / name, features)
