"""The forms of the analysis pages: the file to analyse, each analysis's columns and parameters, saving,
and the purpose stated before person-level data is shown."""

from __future__ import annotations

import json
import math
from typing import Any

from django import forms

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.library import analysis_module
from rocc.analysis_pages.models import AnalysisKind
from rocc.events.offences import offence_codes_selection, victim_focus_settings

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".parquet")

COORDINATES = [
    ("nztm", "NZTM2000 easting and northing (metres, EPSG:2193)"),
    ("wgs84", "WGS84 longitude and latitude (degrees; projected to NZTM2000)"),
    ("metres", "Another projected system in metres"),
]


OFFENCE_CODES_ARE = [
    ("anzsoc", "ANZSOC 2011 codes: a division (07) or subdivision (071) takes every code below it"),
    ("as_written", "Labels of another classification (e.g. “Burglary”), compared exactly as written"),
]


def _offence_codes_are_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="The offence codes are",
        choices=OFFENCE_CODES_ARE,
        initial="anzsoc",
        required=False,
        help_text="For the serious offence codes and harm weights. ANZSOC codes are checked: an unknown one is an error.",
    )


def _checked_codes(codes: list[str], *, as_written: bool) -> list[str]:
    """Offence codes read by the one matcher (leading zero put back); an unknown ANZSOC code is refused here."""
    if as_written:
        return codes

    try:
        return list(offence_codes_selection(codes).codes)
    except AnalysisInputError as error:
        raise forms.ValidationError(str(error)) from None


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File to analyse",
        help_text="CSV, Excel (.xlsx) or Parquet, one row per event (or per tie, for a network).",
    )
    no_header = forms.BooleanField(label="The file has no header row (columns are then named 1, 2, 3, …)", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError(f"{upload.name}: expected a CSV, Excel (.xlsx) or Parquet file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"{upload.name} is {upload.size / 1e6:.0f} MB; the limit is {MAX_UPLOAD_BYTES // 1_000_000} MB.")
        if upload.size == 0:
            raise forms.ValidationError(f"{upload.name}: the file is empty.")
        return upload


class EventsSourceForm(forms.Form):
    """Which events of the store to analyse; the store's own columns are used, so there are no pickers."""

    date_from = forms.DateField(label="Events from (date)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="Events to (date, inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    offence_codes = forms.CharField(
        label="Offence codes (optional)",
        required=False,
        help_text="ANZSOC codes separated by commas, e.g. 0711, 0712; blank for all offences.",
    )

    def clean_offence_codes(self) -> list[str]:
        return _checked_codes([code.strip() for code in self.cleaned_data["offence_codes"].split(",") if code.strip()], as_written=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data


class AnalysisForm(forms.Form):
    """The unit an analysis is for, the columns it reads (chosen from the file's own) and its parameters."""

    kind: str = ""
    #: name -> (label, required, help): the columns this analysis reads.
    column_fields: dict[str, tuple[str, bool, str]] = {}
    #: the columns an event-store frame provides for each of the above.
    events_columns: dict[str, str] = {}
    harm_weighting = False

    scope_unit = forms.ModelChoiceField(queryset=None, label="Unit this analysis is for", empty_label=None)

    def __init__(self, *args, columns: list[str] | None = None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_unit"].queryset = units
        self.columns = columns
        for name, (label, required, help_text) in reversed(self.column_fields.items()):
            if columns is None:
                continue
            choices = ([] if required else [("", "— none —")]) + [(c, c) for c in columns]
            field = forms.ChoiceField(label=label, choices=choices, required=required, help_text=help_text)
            self.fields = {name: field, **self.fields}
            if required and name not in self.initial:
                guess = _guess(name, columns)
                if guess:
                    self.initial[name] = guess
        if self.harm_weighting:
            if columns is not None and "offence" not in self.column_fields:
                self.fields["offence"] = forms.ChoiceField(
                    label="Offence code column (for harm weighting)",
                    required=False,
                    choices=[("", "— none —")] + [(c, c) for c in columns],
                )
            self.fields["harm"] = forms.CharField(
                label="Harm weights (optional)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="One offence code and its weight per line, e.g. 0711,60 (for example sentencing-based days); "
                "with these each event counts its harm rather than 1.",
            )
            self.fields["default_weight"] = forms.FloatField(
                label="Weight for offence codes not listed",
                required=False,
                min_value=0,
                help_text="Blank: an unlisted code is an error, so nothing is weighted by accident.",
            )
        if (self.harm_weighting or "harm" in self.fields) and columns is not None:
            self.fields["offence_codes_are"] = _offence_codes_are_field()

    def parameters(self, *, source: str) -> dict[str, Any]:
        """The cleaned form as the JSON the runner takes; for events from the store, the store's columns."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "scope_unit"}
        if source == "events":
            data["offence_codes_are"] = "anzsoc"  # the store holds checked ANZSOC codes
            for name, events_column in self.events_columns.items():
                data[name] = events_column
            if "x" in self.column_fields:
                data["coordinates"] = "nztm"
                data["drop_unlocated"] = True
        for key, value in list(data.items()):
            if value == "":
                data[key] = None
        return data


def _guess(name: str, columns: list[str]) -> str | None:
    """Pre-select the column whose name matches the role (x, y, date, …), so common files need no picking."""
    aliases = {
        "x": ("x", "easting", "nztm_x", "longitude", "lon"),
        "y": ("y", "northing", "nztm_y", "latitude", "lat"),
        "date": ("date", "date_from", "occurred", "event_date"),
        "start": ("date_from", "from", "start", "datetime", "date"),
        "person": ("person", "person_id", "victim", "victim_id", "person_key"),
        "offence": ("offence", "offence_code", "anzsoc", "crime type", "crime_type"),
        "unit": ("unit", "place", "location", "address"),
        "source": ("source", "from", "node1"),
        "target": ("target", "to", "node2"),
    }.get(name, (name,))
    lowered = {c.lower(): c for c in columns}
    return next((lowered[a] for a in aliases if a in lowered), None)


def _bands(text: str, what: str) -> list[float | None]:
    edges: list[float | None] = []
    for part in text.split(","):
        part = part.strip()
        if part.lower() in {"inf", "infinity", "∞"}:
            edges.append(None)
            continue
        try:
            value = float(part)
        except ValueError:
            raise forms.ValidationError(f"{what}: expected numbers separated by commas (inf for “and beyond”), found {part!r}.") from None
        if math.isnan(value) or value < 0:
            raise forms.ValidationError(f"{what}: band edges are 0 or more, found {part!r}.")
        edges.append(value)
    if len(edges) < 2:
        raise forms.ValidationError(f"{what}: give at least two edges, e.g. 0,100,200,inf.")
    finite = [e for e in edges if e is not None]
    if None in edges[:-1]:
        raise forms.ValidationError(f"{what}: only the last edge may be inf.")
    if any(b <= a for a, b in zip(finite, finite[1:])):
        raise forms.ValidationError(f"{what}: the edges must be strictly increasing.")
    return edges


class RepeatVictimsForm(AnalysisForm):
    kind = AnalysisKind.REPEAT_VICTIMS
    column_fields = {
        "person": ("Victim identifier column", True, "The person each victimisation happened to."),
        "date": ("Date column", True, "ISO dates, or day first (31/12/2024)."),
        "offence": ("Offence code column", False, "Lists each victim's offences; needed for serious offence codes."),
    }
    events_columns = {"person": "person_key", "date": "date_from", "offence": "offence_code"}
    harm_weighting = True
    as_of = forms.DateField(
        label="As of (last day of the window)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Blank: the date of the latest event.",
    )
    window_days = forms.IntegerField(label="Look-back window (days)", min_value=1, max_value=3650, initial=365)
    serious_codes = forms.CharField(
        label="Serious offence codes",
        required=False,
        help_text="Codes separated by commas (a division such as 07 takes all its codes); a repeat victim of one of "
        "these gets an intervention plan with other agencies. Filled in with the Victim Focus list.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        # The lookup's own serious list, so the analysis and the lookup agree unless the analyst changes it.
        self.fields["serious_codes"].initial = ", ".join(victim_focus_settings()["serious_codes"])

    def clean_serious_codes(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["serious_codes"].split(",") if c.strip()]

    def clean(self):
        data = super().clean()
        if "serious_codes" in data:
            as_written = data.get("offence_codes_are") == "as_written"
            try:
                data["serious_codes"] = _checked_codes(data["serious_codes"], as_written=as_written)
            except forms.ValidationError as error:
                self.add_error("serious_codes", error)
        return data

    def parameters(self, *, source: str) -> dict[str, Any]:
        data = super().parameters(source=source)
        data["as_of"] = data["as_of"].isoformat() if data.get("as_of") else None
        return data


class HotTimesForm(AnalysisForm):
    kind = AnalysisKind.HOT_TIMES
    column_fields = {
        "start": ("Time of the event, or start of its window", True, "Date and time, local clock time."),
        "end": ("End of the window", False, "For events known only within a window: spread over its hours (aoristic)."),
    }
    events_columns = {"start": "date_from", "end": "date_to", "offence": "offence_code"}
    harm_weighting = True
    date_only = forms.ChoiceField(
        label="Events known only to the day",
        initial="spread",
        required=False,
        choices=[("spread", "Spread each over the hours of its day"), ("apart", "Show them apart, by day of week")],
        help_text="A date without a time is never counted at midnight.",
    )
    midnight_is_a_time = forms.BooleanField(
        label="Times of exactly 00:00 are real midnights (by default they are read as dates without a time)", required=False
    )


class HotspotsForm(AnalysisForm):
    kind = AnalysisKind.HOTSPOTS
    column_fields = {
        "x": ("Easting / longitude column", True, ""),
        "y": ("Northing / latitude column", True, ""),
        "place": ("Place or address column", False, "Names the top hot spots by the place most common in each; blank: by coordinates."),
    }
    # Events from the store are named by the unit they were recorded in.
    events_columns = {"x": "x", "y": "y", "offence": "offence_code", "place": "unit_name"}
    harm_weighting = True
    coordinates = forms.ChoiceField(label="The coordinates are", choices=COORDINATES, initial="nztm")
    cell = forms.FloatField(label="Grid cell size (metres)", min_value=1, initial=250)
    bandwidth = forms.FloatField(label="Kernel bandwidth (metres)", min_value=1, required=False, help_text="Blank: three cells.")
    places_are = forms.ChoiceField(
        label="The place column holds",
        required=False,
        initial="recorded place",
        choices=[("recorded place", "Recorded places (e.g. a location name)"), ("address", "Addresses")],
    )
    correction = forms.ChoiceField(
        label="Testing many cells at once",
        required=False,
        initial="fdr",
        choices=[
            ("fdr", "Correct the p-values (false discovery rate; recommended)"),
            ("none", "Do not correct (about 1 in 40 cells of a field with no hot spot would show as hot)"),
        ],
    )
    permutations = forms.IntegerField(
        label="Permutations (optional)",
        required=False,
        min_value=0,
        max_value=9999,
        help_text="0 or blank: p-values from the normal curve; 999: pseudo p-values by conditional permutation (slower).",
    )
    seed = forms.IntegerField(label="Seed for the permutations (the same seed gives the same answer)", initial=1, min_value=0, required=False)
    drop_unlocated = forms.BooleanField(label="Leave out rows without coordinates (they are counted in the notes)", required=False)

    def parameters(self, *, source: str) -> dict[str, Any]:
        data = super().parameters(source=source)
        if source == "events":
            data["places_are"] = "unit"
        return data


class ConcentrationForm(AnalysisForm):
    kind = AnalysisKind.CONCENTRATION
    column_fields = {
        "unit": ("Unit column (place, victim or offender)", True, "Each event's place, victim or offender."),
        "weight": ("Weight column", False, "A weight per event (≥ 0), instead of counting each event as 1."),
    }
    events_columns = {"unit": "unit_code", "offence": "offence_code"}
    harm_weighting = True
    group_by = forms.ChoiceField(
        label="Group the store's events by",
        required=False,
        initial="cell",
        choices=[
            ("cell", "A grid cell of the size below (a place)"),
            ("unit", "The unit the event was recorded in"),
            ("victim", "Victim (person-level: needs a purpose)"),
            ("offender", "Offender (person-level: needs a purpose)"),
        ],
        help_text="Only for events from the store; a file's own unit column is used as it is.",
    )
    group_cell = forms.FloatField(
        label="Grid cell size for places (metres)",
        required=False,
        min_value=1,
        initial=100,
        help_text="Events in the same square of this size count as one place.",
    )
    units_total = forms.IntegerField(
        label="Number of units in all, including those with no events",
        required=False,
        min_value=1,
        help_text="For example every street segment or address in the area; needed for the generalised Gini.",
    )
    units_are_persons = forms.BooleanField(label="The units are persons (victims or offenders): the list of top units is person-level data", required=False)
    bootstrap = forms.IntegerField(
        label="Bootstrap replicates for the Gini's interval (optional)",
        required=False,
        min_value=0,
        max_value=9999,
        help_text="0 or blank: no interval; 999 is usual. The events are resampled with replacement.",
    )
    confidence = forms.FloatField(label="Confidence level of the interval", required=False, min_value=0.5, max_value=0.999, initial=0.95)
    seed = forms.IntegerField(label="Seed for the bootstrap (the same seed gives the same interval)", required=False, min_value=0, initial=1)
    chance_baseline = forms.BooleanField(
        label="Draw the chance baseline: the Lorenz curve if every unit were equally likely to have each event (Poisson)",
        required=False,
        initial=True,
    )

    def parameters(self, *, source: str) -> dict[str, Any]:
        data = super().parameters(source=source)
        if source == "events":
            data["group_by"] = data.get("group_by") or "cell"
            data["group_cell"] = data.get("group_cell") or 100.0
            if data["group_by"] == "cell":
                data.update(unit=None, x="x", y="y")
            elif data["group_by"] in ("victim", "offender"):
                # Each person counts the events they were recorded in; the list of top units is person-level.
                data.update(unit="person_key", units_are_persons=True)
        else:
            data["group_by"] = None
        return data


class HarmForm(AnalysisForm):
    kind = AnalysisKind.HARM
    column_fields = {"offence": ("Offence code column", True, "")}
    events_columns = {"offence": "offence_code"}
    harm = forms.CharField(
        label="Harm weights",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One offence code and its weight per line, e.g. 0711,60 (for example sentencing-based days); an ANZSOC "
        "division or subdivision (07,50) weights every code in it, the most specific listed code winning.",
    )
    default_weight = forms.FloatField(
        label="Weight for offence codes not listed",
        required=False,
        min_value=0,
        help_text="Blank: an unlisted code is an error.",
    )


class NearRepeatForm(AnalysisForm):
    kind = AnalysisKind.NEAR_REPEAT
    column_fields = {
        "x": ("Easting / longitude column", True, ""),
        "y": ("Northing / latitude column", True, ""),
        "date": ("Date column", True, "Only the calendar day counts."),
    }
    events_columns = {"x": "x", "y": "y", "date": "date_from"}
    coordinates = forms.ChoiceField(label="The coordinates are", choices=COORDINATES, initial="nztm")
    event_label = forms.CharField(
        label="What the events are (for the summary)",
        initial="burglary",
        max_length=60,
        help_text="e.g. burglary, theft from a car: “within 100 m and 7 days of a burglary …”.",
    )
    distance_bands = forms.CharField(
        label="Distance band edges (metres)",
        initial="0,100,200,300,400,inf",
        help_text="Bands are [from, to): 0,100,200,inf gives 0–99.9 m, 100–199.9 m, 200 m and beyond.",
    )
    day_bands = forms.CharField(
        label="Day band edges (days)",
        initial="0,7,14,21,28,inf",
        help_text="0,7,14,inf gives 0–6 days apart, 7–13 days apart, 14 days and beyond.",
    )
    metric = forms.ChoiceField(
        label="Distance",
        choices=[("manhattan", "Manhattan (along a street grid)"), ("euclidean", "Straight line")],
        initial="manhattan",
    )
    permutations = forms.IntegerField(label="Permutations", min_value=1, max_value=9999, initial=999)
    seed = forms.IntegerField(label="Seed (the same seed gives the same answer)", initial=1, min_value=0)
    drop_unlocated = forms.BooleanField(label="Leave out rows without coordinates", required=False)

    def clean_distance_bands(self):
        return _bands(self.cleaned_data["distance_bands"], "Distance bands")

    def clean_day_bands(self):
        return _bands(self.cleaned_data["day_bands"], "Day bands")


def _community_methods() -> list[tuple[str, str]]:
    """The network analysis's community methods, asked of the library when the form is drawn (importing the analysis
    loads igraph and numba, which a process that never draws this form need not wait for)."""
    return [(method, method.capitalize()) for method in analysis_module("networks").COMMUNITY_METHODS]


class NetworkForm(AnalysisForm):
    kind = AnalysisKind.NETWORK
    column_fields = {
        "source": ("First node column (edge list)", False, "Leave the three columns blank for an adjacency matrix."),
        "target": ("Second node column (edge list)", False, ""),
        "weight": ("Tie strength column", False, "Calls, co-offences; blank counts each tie as 1."),
    }
    # From the event store: offenders who share an event, weighted by the events they share.
    events_columns = {"source": "source", "target": "target", "weight": "events"}
    format = forms.ChoiceField(
        label="The file is",
        choices=[("edges", "An edge list: one tie per row"), ("adjacency", "An adjacency matrix: node labels in the first row and column")],
        initial="edges",
    )
    directed = forms.TypedChoiceField(
        label="Ties have a direction",
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
        choices=[
            ("", "Decide from the file (a matrix that is not symmetric is directed)"),
            ("yes", "Yes (calls from one person to another)"),
            ("no", "No (co-offending, association)"),
        ],
    )
    merge_duplicates = forms.BooleanField(label="Merge a tie given on several rows, adding the weights", required=False)
    key_players = forms.IntegerField(
        label="Key players to find",
        min_value=0,
        max_value=20,
        initial=3,
        help_text="The nodes whose removal fragments the network most; 0 to skip.",
    )
    communities = forms.ChoiceField(label="Community method", choices=_community_methods, initial="leiden")
    resolution = forms.FloatField(label="Resolution", min_value=0.01, initial=1.0, help_text="Above 1 gives more, smaller communities.")
    seed = forms.IntegerField(label="Seed", min_value=0, initial=0)
    geodesics = forms.ChoiceField(
        label="Shortest paths (betweenness, closeness)",
        required=False,
        initial="steps",
        choices=[("steps", "Count the ties on the way"), ("inverse_weight", "Weighted: a tie of weight w is 1/w long, so strong ties are short steps")],
    )

    def parameters(self, *, source: str) -> dict[str, Any]:
        data = super().parameters(source=source)
        if source == "events":
            data.update(format="edges", directed=False)
        return data

    def clean(self):
        data = super().clean()
        if data.get("format") == "edges" and self.columns is not None and not (data.get("source") and data.get("target")):
            self.add_error("source", "An edge list needs its first and second node columns.")
        if data.get("format") == "adjacency" and (data.get("source") or data.get("target") or data.get("weight")):
            self.add_error("format", "An adjacency matrix takes no node or weight columns; leave them blank.")
        return data


class DisplacementForm(AnalysisForm):
    """The counts of the target, buffer and control areas before and after an intervention, typed in."""

    kind = AnalysisKind.DISPLACEMENT
    AREAS = [("target", "Target area"), ("buffer", "Buffer area"), ("control", "Control area"), ("buffer_control", "Buffer’s own control area")]

    before_days = forms.FloatField(label="Length of the before period (days)", required=False, min_value=0.001)
    after_days = forms.FloatField(label="Length of the after period (days)", required=False, min_value=0.001)
    confidence = forms.FloatField(label="Confidence level", initial=0.95, min_value=0.5, max_value=0.999)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area, label in self.AREAS:
            required = area in ("target", "control")
            for period in ("before", "after"):
                self.fields[f"{area}_{period}"] = forms.FloatField(label=f"{label}: crimes {period}", required=required, min_value=0)
            for period in ("before", "after"):
                self.fields[f"{area}_{period}_harm"] = forms.FloatField(label=f"{label}: harm {period} (optional)", required=False, min_value=0)
            self.fields[f"{area}_km2"] = forms.FloatField(label=f"{label}: size in km² (optional)", required=False, min_value=0.0001)

    def area_rows(self):
        """The fields grouped by area, for a table-like layout."""
        return [
            (label, [self[f"{area}_{p}"] for p in ("before", "after")], [self[f"{area}_{p}_harm"] for p in ("before", "after")], self[f"{area}_km2"])
            for area, label in self.AREAS
        ]

    def clean(self):
        data = super().clean()
        for area, label in self.AREAS:
            given = [data.get(f"{area}_{p}") is not None for p in ("before", "after")]
            if any(given) and not all(given):
                self.add_error(f"{area}_before" if not given[0] else f"{area}_after", f"{label}: give both the before and the after count.")
        if (data.get("buffer_control_before") is not None) and data.get("buffer_before") is None:
            self.add_error("buffer_before", "A control for the buffer needs the buffer area's counts.")
        return data

    def parameters(self, *, source: str) -> dict[str, Any]:
        data = self.cleaned_data
        counts = {area: {p: data.get(f"{area}_{p}") for p in ("before", "after")} for area, _ in self.AREAS}
        counts = {area: periods for area, periods in counts.items() if any(v is not None for v in periods.values())}
        harm = {area: {p: data.get(f"{area}_{p}_harm") for p in ("before", "after")} for area in counts}
        any_harm = any(v is not None for periods in harm.values() for v in periods.values())
        return {
            "counts": counts,
            "harm": harm if any_harm else None,
            "area_km2": {area: data.get(f"{area}_km2") for area in counts if data.get(f"{area}_km2") is not None} or None,
            "before_days": data.get("before_days"),
            "after_days": data.get("after_days"),
            "confidence": data.get("confidence") or 0.95,
        }


class DisplacementHotSpotForm(forms.Form):
    """Displacement counted from the event store around a saved hot spot: which of its cells are the target, the
    buffer's width, the control (a unit, or a wider ring), the before and after periods and the offences."""

    CHOICES = [("hot", "Its hot cells (after the result's correction)"), ("hot_99", "Its cells hot at 99%"), ("top", "The top cells by Gi* z")]

    scope_unit = forms.ModelChoiceField(queryset=None, label="Unit this analysis is for", empty_label=None)
    analysis = forms.TypedChoiceField(label="Saved hot-spot analysis", coerce=int, choices=[])
    choose = forms.ChoiceField(label="Target cells", choices=CHOICES, initial="hot")
    top = forms.IntegerField(label="How many top cells", required=False, min_value=1, max_value=10_000, help_text="Only for the top cells.")
    buffer_m = forms.FloatField(label="Buffer width (metres)", min_value=1, max_value=50_000, help_text="A ring around the target cells.")
    control = forms.ChoiceField(label="Control area", choices=[("unit", "A unit"), ("ring", "A wider ring")], initial="unit", widget=forms.RadioSelect)
    control_unit = forms.ModelChoiceField(
        queryset=None, label="Control unit", required=False, help_text="Its events in the target or the buffer count there, not here."
    )
    control_m = forms.FloatField(label="Control ring's outer edge (metres from the target)", required=False, min_value=1, max_value=100_000)
    before_from = forms.DateField(label="Before: from", widget=forms.DateInput(attrs={"type": "date"}))
    before_to = forms.DateField(label="Before: to (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))
    after_from = forms.DateField(label="After: from", widget=forms.DateInput(attrs={"type": "date"}))
    after_to = forms.DateField(label="After: to (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))
    offence_codes = forms.CharField(
        label="Offence codes (optional)", required=False, help_text="ANZSOC codes separated by commas, e.g. 0711, 0712; blank for all offences."
    )
    confidence = forms.FloatField(label="Confidence level", initial=0.95, min_value=0.5, max_value=0.999)

    def __init__(self, *args, units=None, analyses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_unit"].queryset = units
        self.fields["control_unit"].queryset = units
        self.fields["analysis"].choices = [(a.pk, f"{a.title} ({a.scope_unit.name}, {a.created_at:%d %b %Y})") for a in analyses]

    def clean_offence_codes(self) -> list[str]:
        return _checked_codes([code.strip() for code in self.cleaned_data["offence_codes"].split(",") if code.strip()], as_written=False)

    def clean(self):
        data = super().clean()
        if data.get("choose") == "top" and not data.get("top"):
            self.add_error("top", "Say how many of the top cells are the target.")
        if data.get("control") == "unit" and data.get("control_unit") is None:
            self.add_error("control_unit", "Choose the control unit, or choose a wider ring as the control.")
        if data.get("control") == "ring":
            if data.get("control_m") is None:
                self.add_error("control_m", "Give the control ring's outer edge in metres.")
            elif data.get("buffer_m") is not None and data["control_m"] <= data["buffer_m"]:
                self.add_error("control_m", f"The control ring must reach farther than the buffer ({data['buffer_m']:g} m).")
        for period in ("before", "after"):
            start, end = data.get(f"{period}_from"), data.get(f"{period}_to")
            if start and end and start > end:
                self.add_error(f"{period}_to", f"The {period} period ends before it starts.")
        if data.get("before_to") and data.get("after_from") and data["after_from"] <= data["before_to"]:
            self.add_error("after_from", "The after period starts once the before period has ended.")
        return data


FORMS: dict[str, type[AnalysisForm]] = {
    form.kind: form for form in (RepeatVictimsForm, HotTimesForm, HotspotsForm, ConcentrationForm, HarmForm, NearRepeatForm, NetworkForm, DisplacementForm)
}


class SaveForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    keep_persons = forms.BooleanField(
        label="Keep the person-level detail (then only analysts in this unit may open it, and each look is recorded)",
        required=False,
    )


class PurposeForm(forms.Form):
    purpose = forms.CharField(
        label="Why do you need to see the person-level data?",
        min_length=5,
        max_length=500,
        help_text="Recorded in the audit trail with your name and the time, e.g. “Operation Kōwhai: prevention visits”.",
    )


class NodeLinkForm(forms.Form):
    node = forms.ChoiceField(label="Network node")
    identifier = forms.CharField(
        label="Person identifier",
        required=False,
        max_length=200,
        help_text="As held in the source system; it is pseudonymised the way the event store's are, and is not kept.",
    )
    person_key = forms.CharField(label="…or the person key (pseudonymised)", required=False, max_length=128)
    purpose = forms.CharField(label="Purpose", min_length=5, max_length=500, help_text="Recorded in the audit trail.")

    def __init__(self, *args, nodes: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n, n) for n in nodes]

    def clean(self):
        data = super().clean()
        if not data.get("identifier") and not data.get("person_key"):
            self.add_error("identifier", "Give the person's identifier or their person key.")
        return data


# --- space–time interaction beyond Knox ----------------------------------------------------------------------


class SpaceTimeForm(AnalysisForm):
    kind = AnalysisKind.SPACE_TIME
    column_fields = {
        "x": ("Easting / longitude column", True, ""),
        "y": ("Northing / latitude column", True, ""),
        "date": ("Date column", True, "Only the calendar day counts."),
        "id": ("Event identifier column", False, "Names the events in the chains' listing."),
    }
    events_columns = {"x": "x", "y": "y", "date": "date_from", "id": "event_id"}
    method = forms.ChoiceField(
        label="Test",
        initial="jacquez",
        choices=[
            ("jacquez", "Jacquez k nearest neighbours: are events' nearest in space also their nearest in time?"),
            ("mantel", "Mantel: do distances in space and in time go together over every pair? (at most 5,000 events)"),
            ("chains", "Near-repeat chains: list the events linked within a distance and a number of days"),
        ],
    )
    coordinates = forms.ChoiceField(label="The coordinates are", choices=COORDINATES, initial="nztm")
    event_label = forms.CharField(label="What the events are (for the summary)", initial="burglary", max_length=60)
    metric = forms.ChoiceField(
        label="Distance",
        required=False,
        initial="",
        choices=[
            ("", "The test's usual (straight line; Manhattan for chains)"),
            ("euclidean", "Straight line"),
            ("manhattan", "Manhattan (along a street grid)"),
        ],
    )
    k = forms.IntegerField(label="Jacquez: nearest neighbours up to k =", min_value=1, max_value=100, initial=10, required=False)
    transform = forms.ChoiceField(
        label="Mantel: distances as",
        required=False,
        initial="reciprocal",
        choices=[("reciprocal", "Reciprocals, 1 / (distance + constant): close pairs weigh most (Mantel's advice)"), ("none", "Metres and days as they are")],
    )
    space_constant = forms.FloatField(label="Mantel: metres added before the reciprocal", min_value=0.001, initial=1.0, required=False)
    time_constant = forms.FloatField(label="Mantel: days added before the reciprocal", min_value=0.001, initial=1.0, required=False)
    max_distance = forms.FloatField(label="Chains: link events at most this many metres apart", min_value=0, initial=400, required=False)
    max_days = forms.IntegerField(label="Chains: … and at most this many days apart", min_value=0, max_value=3650, initial=7, required=False)
    permutations = forms.IntegerField(label="Permutations (Jacquez, Mantel)", min_value=1, max_value=9999, initial=999, required=False)
    seed = forms.IntegerField(label="Seed (the same seed gives the same answer)", initial=1, min_value=0, required=False)
    drop_unlocated = forms.BooleanField(label="Leave out rows without coordinates", required=False)

    def clean(self):
        data = super().clean()
        if data.get("method") == "chains":
            for name in ("max_distance", "max_days"):
                if data.get(name) is None:
                    self.add_error(name, "Chains need the distance and the days that link two events.")
        return data


FORMS[SpaceTimeForm.kind] = SpaceTimeForm


# --- spatial autocorrelation (Moran's I, General G, LISA) ---------------------------------------------------

_PERMUTATIONS_HELP = "999 is usual; 0 gives the global statistics' normal p-values only, and no local clusters."


class AutocorrelationForm(AnalysisForm):
    kind = AnalysisKind.AUTOCORRELATION
    column_fields = {
        "x": ("Easting / longitude column (events on a grid)", False, "For a file of events: they are counted on a grid of the cell size below."),
        "y": ("Northing / latitude column (events on a grid)", False, ""),
        "area": ("Area id column (areas with neighbours)", False, "For a file with one row per area (a unit, a meshblock)."),
        "value": ("Value column (areas with neighbours)", False, "Each area's count or rate."),
        "neighbours": ("Neighbours column (areas with neighbours)", False, "Each area's neighbours' ids, separated by ; (blank for none)."),
    }
    events_columns = {"x": "x", "y": "y", "offence": "offence_code"}
    harm_weighting = True
    areas_are = forms.ChoiceField(
        label="The file holds",
        required=False,
        initial="grid",
        choices=[
            ("grid", "Events with coordinates, to count on a grid"),
            ("units", "Events with coordinates, to count in units with boundaries"),
            ("areas", "One row per area, with its neighbours"),
        ],
        help_text="From the event store: grid cells or units with boundaries.",
    )
    boundary_level = forms.ChoiceField(
        label="Units with boundaries: the areas are the",
        required=False,
        initial="area",
        choices=[("area", "Areas within the unit analysed"), ("district", "Districts within the unit analysed")],
        help_text="Neighbours are units whose boundaries touch (queen: even at a corner; rook: along an edge). Units without a loaded boundary are left out, with a note.",
    )
    coordinates = forms.ChoiceField(label="The coordinates are", choices=COORDINATES, initial="nztm", required=False)
    cell = forms.FloatField(label="Grid cell size (metres)", min_value=1, initial=250, required=False)
    contiguity = forms.ChoiceField(
        label="A cell's (or unit's) neighbours",
        required=False,
        initial="queen",
        choices=[
            ("queen", "The 8 surrounding cells (queen, as the hot-spot map); units touching at any point"),
            ("rook", "The 4 cells sharing a side (rook); units sharing a stretch of boundary"),
        ],
    )
    permutations = forms.IntegerField(label="Permutations", min_value=0, max_value=9999, initial=999, required=False, help_text=_PERMUTATIONS_HELP)
    significance = forms.FloatField(label="Significance level", min_value=0.001, max_value=0.2, initial=0.05, required=False)
    correction = forms.ChoiceField(
        label="Testing many areas at once",
        required=False,
        initial="none",
        choices=[
            ("none", "Judge each area by its own pseudo p-value (as GeoDa's cluster map)"),
            ("fdr", "Correct the p-values (false discovery rate): fewer, surer clusters"),
        ],
    )
    seed = forms.IntegerField(label="Seed for the permutations (the same seed gives the same answer)", initial=1, min_value=0, required=False)
    drop_unlocated = forms.BooleanField(label="Leave out rows without coordinates (they are counted in the notes)", required=False)

    def clean(self):
        data = super().clean()
        if self.columns is None:
            return data
        if (data.get("areas_are") or "grid") == "areas":
            for name in ("area", "value", "neighbours"):
                if not data.get(name):
                    self.add_error(name, "Areas need their id, value and neighbours columns.")
        else:
            for name in ("x", "y"):
                if not data.get(name):
                    self.add_error(name, "Events on a grid need their coordinate columns.")
        return data

    def parameters(self, *, source: str) -> dict[str, Any]:
        data = super().parameters(source=source)
        if source == "events":
            data.update(areas_are="units" if data.get("areas_are") == "units" else "grid", area=None, value=None, neighbours=None)
        if data.get("areas_are") == "units":
            data["boundary_level"] = data.get("boundary_level") or "area"
        else:
            data.pop("boundary_level", None)
        data["cell"] = data.get("cell") or 250.0
        data["coordinates"] = data.get("coordinates") or "nztm"
        return data


FORMS[AutocorrelationForm.kind] = AutocorrelationForm


# --- hot-spot forecast accuracy (PAI, PEI, RRI) ----------------------------------------------------------------


def _numbers(text: str, what: str, *, per_cent: bool = False) -> list[float]:
    values = []
    for part in (text or "").replace("%", "").split(","):
        if not part.strip():
            continue
        try:
            value = float(part)
        except ValueError:
            raise forms.ValidationError(f"{what}: expected numbers separated by commas, found {part.strip()!r}.") from None
        if not math.isfinite(value) or value <= 0 or (per_cent and value > 100):
            raise forms.ValidationError(f"{what}: {part.strip()} is out of range ({'above 0 and at most 100' if per_cent else 'above 0'}).")
        values.append(value / 100 if per_cent else value)
    if not values:
        raise forms.ValidationError(f"{what}: give at least one.")
    return values


class ForecastAccuracyForm(AnalysisForm):
    kind = AnalysisKind.FORECAST_ACCURACY
    column_fields = {
        "x": ("Easting / longitude column", True, ""),
        "y": ("Northing / latitude column", True, ""),
        "date": ("Date column", True, "Only the calendar day counts."),
    }
    events_columns = {"x": "x", "y": "y", "date": "date_from"}
    coordinates = forms.ChoiceField(label="The coordinates are", choices=COORDINATES, initial="nztm")
    split = forms.DateField(
        label="First day of the forecast period",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The hot-spot maps are drawn from the events before this day and scored against the events from it.",
    )
    end = forms.DateField(label="Last day of the forecast period (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cells = forms.CharField(label="Cell sizes to compare (metres)", initial="150,250,500", help_text="Separated by commas.")
    methods = forms.MultipleChoiceField(
        label="Hot-spot methods to compare",
        initial=["counts", "density", "gi"],
        widget=forms.CheckboxSelectMultiple,
        choices=[("counts", "Grid counts"), ("density", "Kernel density (quartic)"), ("gi", "Getis–Ord Gi*")],
    )
    shares = forms.CharField(label="Shares of the study area the hot spots cover (%)", initial="1,2,5,10,20", help_text="Separated by commas.")
    bandwidth_cells = forms.FloatField(label="Kernel bandwidth (cells)", min_value=0.5, max_value=20, initial=3, required=False)
    study_area = forms.CharField(
        label="Study area (optional GeoJSON polygon, in the events' projected metres)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only cells whose centre lies inside count as the study area, so sea and empty land do not lower the scores. Blank: the events' bounding box.",
    )
    drop_unlocated = forms.BooleanField(label="Leave out rows without coordinates", required=False)

    def clean_cells(self):
        return _numbers(self.cleaned_data["cells"], "Cell sizes")

    def clean_shares(self):
        return _numbers(self.cleaned_data["shares"], "Shares", per_cent=True)

    def clean_study_area(self):

        text = (self.cleaned_data.get("study_area") or "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(f"The study area is not valid GeoJSON ({error}).") from None

    def clean(self):
        data = super().clean()
        if data.get("split") and data.get("end") and data["end"] < data["split"]:
            self.add_error("end", "The forecast period ends before it starts.")
        return data

    def parameters(self, *, source: str) -> dict[str, Any]:
        data = super().parameters(source=source)
        for key in ("split", "end"):
            if data.get(key):
                data[key] = data[key].isoformat()
        return data


FORMS[ForecastAccuracyForm.kind] = ForecastAccuracyForm


# --- centre, spread and direction ------------------------------------------------------------------------------


class SpatialDescriptionForm(AnalysisForm):
    kind = AnalysisKind.SPATIAL_DESCRIPTION
    column_fields = {
        "x": ("Easting / longitude column", True, ""),
        "y": ("Northing / latitude column", True, ""),
        "group": ("Group column (optional)", False, "A row for each group, e.g. the offence or the unit."),
        "date": ("Date column (for periods)", False, "Needed to follow the centre month by month, quarter or year."),
        "weight": ("Weight column", False, "A weight per event (≥ 0), instead of counting each event as 1."),
    }
    events_columns = {"x": "x", "y": "y", "date": "date_from", "offence": "offence_code"}
    harm_weighting = True
    coordinates = forms.ChoiceField(label="The coordinates are", choices=COORDINATES, initial="nztm")
    events_group = forms.ChoiceField(
        label="Group the store's events by",
        required=False,
        initial="",
        choices=[("", "No groups"), ("offence_division", "ANZSOC division of the offence"), ("unit_code", "The unit the event was recorded in")],
        help_text="Only for events from the store; a file's own group column is used as it is.",
    )
    period = forms.ChoiceField(
        label="Periods",
        required=False,
        initial="",
        choices=[("", "The whole time together"), ("month", "Each month"), ("quarter", "Each quarter"), ("year", "Each year")],
    )
    drop_unlocated = forms.BooleanField(label="Leave out rows without coordinates (they are counted in the notes)", required=False)

    def parameters(self, *, source: str) -> dict[str, Any]:
        data = super().parameters(source=source)
        if source == "events":
            group = data.pop("events_group", None)
            data["group"] = group or None
            data["group_label"] = {"offence_division": "offence division", "unit_code": "unit"}.get(group or "")
        else:
            data.pop("events_group", None)
        return data

    def clean(self):
        data = super().clean()
        if data.get("period") and self.columns is not None and not data.get("date"):
            self.add_error("date", "Periods need the date column.")
        return data


FORMS[SpatialDescriptionForm.kind] = SpatialDescriptionForm


# --- point patterns (nearest neighbour, Ripley's K and L, kernel density) ---------------------------------------


class PointPatternForm(AnalysisForm):
    kind = AnalysisKind.POINT_PATTERN
    column_fields = {"x": ("Easting / longitude column", True, ""), "y": ("Northing / latitude column", True, "")}
    events_columns = {"x": "x", "y": "y"}
    coordinates = forms.ChoiceField(label="The coordinates are", choices=COORDINATES, initial="nztm")
    event_label = forms.CharField(label="What the events are (for the summary)", initial="events", max_length=60, required=False)
    study_area = forms.CharField(
        label="Study area (optional GeoJSON polygon, in the events' projected metres)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The land the events could fall on: water and empty land outside it do not count. Blank: the events' bounding box.",
    )
    simulations = forms.IntegerField(label="Random patterns for the envelope", min_value=0, max_value=999, initial=99, required=False)
    seed = forms.IntegerField(label="Seed for the random patterns (the same seed gives the same answer)", initial=1, min_value=0, required=False)
    bandwidth = forms.FloatField(
        label="Kernel radius (metres, optional)", min_value=1, required=False, help_text="Blank: Silverman's rule of thumb in its spatial form."
    )
    cell = forms.FloatField(label="Density cell size (metres, optional)", min_value=1, required=False, help_text="Blank: a fifth of the radius.")
    drop_unlocated = forms.BooleanField(label="Leave out rows without coordinates", required=False)

    def clean_study_area(self):

        text = (self.cleaned_data.get("study_area") or "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(f"The study area is not valid GeoJSON ({error}).") from None


FORMS[PointPatternForm.kind] = PointPatternForm


# --- emerging hot spots (Gi* per time slice, Mann–Kendall trend) ------------------------------------------------


class EmergingHotspotsForm(AnalysisForm):
    kind = AnalysisKind.EMERGING_HOTSPOTS
    column_fields = {
        "x": ("Easting / longitude column", True, ""),
        "y": ("Northing / latitude column", True, ""),
        "date": ("Date column", True, "Only the calendar day counts."),
    }
    events_columns = {"x": "x", "y": "y", "date": "date_from"}
    coordinates = forms.ChoiceField(label="The coordinates are", choices=COORDINATES, initial="nztm")
    cell = forms.FloatField(label="Grid cell size (metres)", min_value=1, initial=250)
    slice_days = forms.IntegerField(label="Length of each time slice (days)", min_value=1, max_value=366, initial=28)
    start = forms.DateField(
        label="First day of the first slice (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Blank: the first event's day.",
    )
    time_step = forms.IntegerField(
        label="Neighbourhood time step (slices)",
        min_value=0,
        max_value=52,
        initial=1,
        required=False,
        help_text="A cell's Gi* in a slice counts its neighbours in this many slices before it too, as GIS emerging hot-spot tools do (1); 0 judges each slice on its own.",
    )
    significance = forms.FloatField(label="Significance level", min_value=0.001, max_value=0.2, initial=0.05, required=False)
    drop_unlocated = forms.BooleanField(label="Leave out rows without coordinates", required=False)

    def parameters(self, *, source: str) -> dict[str, Any]:
        data = super().parameters(source=source)
        if data.get("start"):
            data["start"] = data["start"].isoformat()
        if data.get("time_step") is None:
            data["time_step"] = 1
        return data


FORMS[EmergingHotspotsForm.kind] = EmergingHotspotsForm
