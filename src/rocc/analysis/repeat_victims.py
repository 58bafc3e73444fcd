"""Repeat victimisation over a look-back window and the Victim Focus graduated response each victim gets."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.harm import column_name, event_weights, factorized
from rocc.analysis.inputs import column, date_column
from rocc.analysis.offences import OffenceClassification, event_offence_labels, offence_selection
from rocc.analysis.results import jsonable


@dataclasses.dataclass(frozen=True)
class ResponseTier:
    """One step of a graduated response: who qualifies (events in the window, whether any of them was
    serious) and what they get."""

    name: str
    response: str
    min_events: int = 1
    serious: bool = False

    def __post_init__(self) -> None:
        if not self.name.strip() or not self.response.strip():
            raise AnalysisInputError("a response tier needs a name and a response")
        whole = isinstance(self.min_events, (int, np.integer)) and not isinstance(self.min_events, bool)
        if not whole or self.min_events < 1:
            raise AnalysisInputError(f"tier {self.name!r}: min_events must be a whole number ≥ 1, found {self.min_events!r}")


# Better Public Services Result 7, "Victim Focus": a first-time victim gets practical prevention advice,
# the response graduates as victimisation repeats, and a person who has suffered serious and repeat
# crime gets an intervention plan built with other agencies.
VICTIM_FOCUS_TIERS: tuple[ResponseTier, ...] = (
    ResponseTier(name="first-time victim", response="prevention advice", min_events=1),
    ResponseTier(name="repeat victim", response="graduated response", min_events=2),
    ResponseTier(
        name="serious and repeat victim",
        response="intervention plan with other agencies",
        min_events=2,
        serious=True,
    ),
)


def response_tier_indices(count: np.ndarray, serious: np.ndarray, tiers: Sequence[ResponseTier] = VICTIM_FOCUS_TIERS) -> np.ndarray:
    """The graduated-response rule, the one every caller uses (the population analysis, the Victim Focus
    lookup of one person, the API): each person gets the *last* tier whose conditions they meet (at least
    ``min_events`` victimisations in the window, and a serious one among them if the tier asks for it).
    Returns the index into ``tiers``, -1 where no tier applies."""
    count = np.asarray(count, dtype=np.int64)
    serious = np.asarray(serious, dtype=bool)
    tier = np.full(count.shape, -1, dtype=np.int64)
    for index, step in enumerate(tiers):
        qualifies = count >= step.min_events
        if step.serious:
            qualifies &= serious
        tier[qualifies] = index
    return tier


def response_tier(*, count: int, serious: bool, tiers: Sequence[ResponseTier] = VICTIM_FOCUS_TIERS) -> ResponseTier | None:
    """The tier of one person (None when none applies): :func:`response_tier_indices` for a population of one."""
    index = int(response_tier_indices(np.array([count]), np.array([serious]), tiers)[0])
    return tiers[index] if index >= 0 else None


_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}


def response_tiers_from_table(frame: pd.DataFrame) -> tuple[ResponseTier, ...]:
    """Tiers from a table with columns ``name, response, min_events`` and optional ``serious`` (yes/no),
    listed from the lightest response to the most intensive."""
    names = column(frame, "name").astype(str).str.strip()
    responses = column(frame, "response").astype(str).str.strip()
    minimums = pd.to_numeric(column(frame, "min_events"), errors="coerce")
    serious = frame["serious"].astype(str).str.strip().str.lower() if "serious" in frame.columns else None
    tiers = []
    for row in range(len(frame)):
        minimum = minimums.iloc[row]
        if pd.isna(minimum) or minimum != int(minimum):
            raise AnalysisInputError("expected a whole number", column="min_events", row=row + 1)
        flag = False
        if serious is not None:
            text = serious.iloc[row]
            if text not in _TRUE | _FALSE:
                raise AnalysisInputError(f"expected yes or no, found {text!r}", column="serious", row=row + 1)
            flag = text in _TRUE
        try:
            tiers.append(ResponseTier(names.iloc[row], responses.iloc[row], int(minimum), flag))
        except AnalysisInputError as exc:
            raise AnalysisInputError(str(exc), row=row + 1) from None
    return _checked_tiers(tiers)


def _checked_tiers(tiers: Iterable[ResponseTier]) -> tuple[ResponseTier, ...]:
    tiers = tuple(tiers)
    if not tiers:
        raise AnalysisInputError("at least one response tier is needed")
    names = [tier.name for tier in tiers]
    if len(set(names)) != len(names):
        raise AnalysisInputError(f"response tier names must be distinct, found {names}")
    return tiers


def offence_labels_in_order(labels: np.ndarray, *, classification: OffenceClassification | None, name: str, row_of=None) -> tuple[np.ndarray, np.ndarray]:
    """(position of each of ``labels`` among the codes, the codes): distinct offence labels as the classification
    writes them, in alphabetical order, so each victim's offences list in a stable, readable order; two spellings of
    one code (211 and 0211) become one. An unknown code is an error naming it (and its row, through ``row_of``)."""
    written = event_offence_labels(labels.astype(str).astype(object), classification=classification, name=name, row_of=row_of)
    distinct, renumber = np.unique(written.astype(str), return_inverse=True)
    return renumber, distinct.astype(object)


def _checked_window(window_days: Any) -> None:
    if isinstance(window_days, bool) or not isinstance(window_days, (int, np.integer)) or window_days <= 0:
        raise AnalysisInputError(f"window_days must be a whole number of days > 0, found {window_days!r}")


def parse_date(value: Any, *, name: str) -> np.datetime64:
    """One date (text, date, datetime or numpy datetime64) as datetime64[D], read like a date column
    (ISO, or day first when slashed); unreadable → an error naming the parameter."""
    if isinstance(value, (dt.date, np.datetime64, pd.Timestamp)):
        value = str(pd.Timestamp(value).date()) if not pd.isna(value) else ""
    try:
        return date_column(pd.DataFrame({name: [str(value)]}), name)[0]
    except AnalysisInputError:
        raise AnalysisInputError(f"{name}: cannot read {value!r} as a date (expected e.g. 2018-06-30)") from None


def event_days(dates: Any, *, name: str = "date") -> np.ndarray:
    """Event dates as datetime64[D] (times of day are dropped); a missing or unreadable one is reported by row."""
    series = pd.Series(dates)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        missing = series.isna().to_numpy()
        if missing.any():
            row = int(np.flatnonzero(missing)[0]) + 1
            raise AnalysisInputError("expected a date, found a missing value", column=name, row=row)
        return series.to_numpy().astype("datetime64[D]")
    return date_column(pd.DataFrame({name: series}), name)


@dataclasses.dataclass(frozen=True, eq=False)
class RepeatVictimsResult:
    """Each person victimised in the window (most victimised first) with their response tier, and the
    summary measures: prevalence (victims), incidence (events) and concentration (share of events
    suffered by repeat victims)."""

    as_of: np.datetime64
    window_days: int
    person: np.ndarray
    count: np.ndarray
    first: np.ndarray
    last: np.ndarray
    serious: np.ndarray
    tier: np.ndarray  # index into ``tiers``; -1 where no tier applies
    harm: np.ndarray | None
    offence_person: np.ndarray  # long table of offence counts: position in ``person``, code, count
    offence_code: np.ndarray
    offence_count: np.ndarray
    tiers: tuple[ResponseTier, ...]
    summary: dict[str, Any]
    parameters: dict[str, Any]

    def _tier_field(self, field: str) -> np.ndarray:
        labels = np.array([getattr(t, field) for t in self.tiers] + [None], dtype=object)
        return labels[self.tier]

    def _offences(self) -> list[dict[str, int]]:
        offences: list[dict[str, int]] = [{} for _ in range(len(self.person))]
        for position, code, count in zip(self.offence_person.tolist(), self.offence_code.tolist(), self.offence_count.tolist(), strict=True):
            offences[position][code] = count
        return offences

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "person": self.person,
                "count": self.count,
                "first": self.first,
                "last": self.last,
                # object dtype keeps a missing tier as None rather than a missing string.
                "tier": pd.Series(self._tier_field("name"), dtype=object),
                "response": pd.Series(self._tier_field("response"), dtype=object),
                "serious": self.serious,
            }
        )
        if self.harm is not None:
            frame["harm"] = self.harm
        if self.parameters["offences_given"]:
            frame["offences"] = self._offences()
        return frame

    def _records(self, rows: slice | list[int] = slice(None)) -> list[dict[str, Any]]:
        """Victims as JSON-ready dicts, built column-wise: this runs over hundreds of thousands of people."""
        columns: dict[str, list[Any]] = {
            "person": jsonable(self.person[rows].tolist()),
            "count": self.count[rows].tolist(),
            "first": np.datetime_as_string(self.first[rows], unit="D").tolist(),
            "last": np.datetime_as_string(self.last[rows], unit="D").tolist(),
            "tier": self._tier_field("name")[rows].tolist(),
            "response": self._tier_field("response")[rows].tolist(),
            "serious": self.serious[rows].tolist(),
        }
        if self.harm is not None:
            columns["harm"] = self.harm[rows].tolist()
        if self.parameters["offences_given"]:
            offences = self._offences()
            columns["offences"] = [offences[i] for i in np.arange(len(self.person))[rows].tolist()]
        names = list(columns)
        return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]

    def victim(self, person: Any) -> dict[str, Any] | None:
        """The record of one person (None if they were not victimised in the window): the frontline look-up."""
        matches = np.flatnonzero(self.person == person)
        return self._records([int(matches[0])])[0] if len(matches) else None

    def to_dict(self) -> dict[str, Any]:
        document = jsonable(
            {
                "as_of": self.as_of,
                "window_days": self.window_days,
                "persons": None,
                "summary": self.summary,
                "tiers": [dataclasses.asdict(t) for t in self.tiers],
                "parameters": self.parameters,
            }
        )
        # The records are JSON-ready as built; passing them through jsonable again would double the time.
        document["persons"] = self._records()
        return document


def repeat_victims(
    *,
    persons: Sequence[Any] | np.ndarray | pd.Series,
    dates: Sequence[Any] | np.ndarray | pd.Series,
    offences: Sequence[Any] | np.ndarray | pd.Series | None = None,
    as_of: Any = None,
    window_days: int = 365,
    serious_codes: Iterable[str] = (),
    serious_harm: float | None = None,
    weights: Sequence[float] | np.ndarray | None = None,
    tiers: Iterable[ResponseTier] = VICTIM_FOCUS_TIERS,
    classification: OffenceClassification | None = None,
) -> RepeatVictimsResult:
    """Who was victimised in the window ``(as_of − window_days, as_of]``, how often, and the response due.

    Parameters
    ----------
    persons : one victim identifier per event.
    dates : the date of each event (times of day are dropped).
    offences : the offence code of each event; listed per person and used for ``serious_codes``.
    as_of : the last day of the window (included); default the date of the latest event.
    window_days : length of the look-back window in days (default 365, "the past 12 months").
    serious_codes : offence codes that make a victimisation serious. With a ``classification`` a code at
        any level selects every code below it (``07`` is all of burglary) and an unknown code is an error.
    serious_harm : a victimisation whose harm weight is at least this is also serious (needs ``weights``).
    weights : a harm weight per event (≥ 0); gives each victim's harm and the harm concentration.
    tiers : the graduated response, lightest first; each victim gets the *last* tier whose conditions
        (at least ``min_events`` events in the window, and a serious one if ``serious``) they meet.
    classification : the hierarchical classification the offence codes belong to (rocc passes ANZSOC 2011);
        None compares offence codes exactly as written (labels such as "Burglary").
    """
    person_codes, person_labels = factorized(persons, name=column_name(persons, "person"))
    n = len(person_codes)
    if n == 0:
        raise AnalysisInputError("there are no events")
    days = event_days(dates, name=column_name(dates, "date"))
    if len(days) != n:
        raise AnalysisInputError(f"dates has {len(days)} values but persons has {n}")
    offence_codes = offence_labels = None
    if offences is not None:
        offence_codes, offence_labels = factorized(offences, name=column_name(offences, "offence"), blank_allowed=True, as_text=True)
        if len(offence_codes) != n:
            raise AnalysisInputError(f"offences has {len(offence_codes)} values but persons has {n}")
        first_code = offence_codes.copy()

        def row_of(label: int) -> int:
            return int(np.flatnonzero(first_code == label)[0]) + 1

        renumber, offence_labels = offence_labels_in_order(offence_labels, classification=classification, name=column_name(offences, "offence"), row_of=row_of)
        offence_codes = renumber[offence_codes]
    weights = event_weights(weights, events=n)
    _checked_window(window_days)
    end = days.max() if as_of is None else parse_date(as_of, name="as_of")
    start = end - np.timedelta64(int(window_days), "D")
    in_window = (days > start) & (days <= end)
    # The window's events as groups of one person, offence and weight (the engine's form of the same rows): one
    # integer key per event, sorted, and each run of equal keys reduced.
    key = person_codes[in_window].astype(np.int64)
    kinds = len(offence_labels) if offence_codes is not None and offence_labels is not None else 1
    if offence_codes is not None:
        key = key * kinds + offence_codes[in_window]
    weight_values = np.zeros(1)
    if weights is not None:
        weight_values, weight_codes = np.unique(weights[in_window], return_inverse=True)
        weight_values = weight_values if len(weight_values) else np.zeros(1)  # no event in the window
        key = key * len(weight_values) + weight_codes
    order = np.argsort(key, kind="stable")
    key, day = key[order], days[in_window].astype(np.int64)[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.empty(0, dtype=np.int64)
    group_key = key[starts]
    group_weight = weight_values[group_key % len(weight_values)]
    group_key //= len(weight_values)
    group_code, group_person = group_key % kinds, group_key // kinds
    # Victims numbered 0.. in order of their first appearance in the data (the factorised codes' order).
    present, position = np.unique(group_person, return_inverse=True)
    return repeat_victims_from_groups(
        VictimGroups(
            person=person_labels[present],
            group_person=position,
            group_offence=group_code if offence_codes is not None else None,
            group_weight=group_weight if weights is not None else None,
            group_count=np.diff(np.r_[starts, len(key)]).astype(np.int64),
            group_first=np.minimum.reduceat(day, starts) if len(starts) else np.empty(0, dtype=np.int64),
            group_last=np.maximum.reduceat(day, starts) if len(starts) else np.empty(0, dtype=np.int64),
            offence_labels=offence_labels,
            as_of=end,
            events=n,
            events_before_window=int((days <= start).sum()),
            events_after_as_of=int((days > end).sum()),
        ),
        window_days=window_days,
        serious_codes=serious_codes,
        serious_harm=serious_harm,
        tiers=tiers,
        classification=classification,
    )


@dataclasses.dataclass(frozen=True)
class VictimGroups:
    """The window's victimisations as groups (one person, one offence code, one harm weight: how many events, the
    first and last day), with what the result says of the rest: the form the event store's engine counts them in,
    and the one the rows are reduced to, so both give one result. ``group_person`` indexes ``person`` (victims in
    order of their first appearance in the data); ``group_offence`` indexes ``offence_labels`` (codes as the
    classification writes them, in alphabetical order), None without offences; ``group_weight`` None without harm
    weights; days are days since 1970-01-01."""

    person: np.ndarray
    group_person: np.ndarray
    group_offence: np.ndarray | None
    group_weight: np.ndarray | None
    group_count: np.ndarray
    group_first: np.ndarray
    group_last: np.ndarray
    offence_labels: np.ndarray | None
    as_of: np.datetime64
    events: int  # every event given, in the window or not
    events_before_window: int
    events_after_as_of: int


def repeat_victims_from_groups(
    groups: VictimGroups,
    *,
    window_days: int = 365,
    serious_codes: Iterable[str] = (),
    serious_harm: float | None = None,
    tiers: Iterable[ResponseTier] = VICTIM_FOCUS_TIERS,
    classification: OffenceClassification | None = None,
) -> RepeatVictimsResult:
    """:func:`repeat_victims` from the window's events already grouped (see :class:`VictimGroups`): the event
    store's engine counts them so, and the rows are reduced to them; the parameters are :func:`repeat_victims`'s."""
    offences_given = groups.offence_labels is not None
    weighted = groups.group_weight is not None
    _checked_window(window_days)
    serious_selection = offence_selection(serious_codes, classification=classification, name="serious offence codes")
    if serious_selection.codes and not offences_given:
        raise AnalysisInputError("serious offence codes need the offence of each event")
    if serious_harm is not None:
        if not weighted:
            raise AnalysisInputError("a serious harm threshold needs a harm weight per event")
        if not np.isfinite(serious_harm) or serious_harm < 0:
            raise AnalysisInputError(f"serious harm threshold must be a number ≥ 0, found {serious_harm!r}")
    tiers = _checked_tiers(tiers)
    if any(t.serious for t in tiers) and not serious_selection.codes and serious_harm is None:
        # Without a definition of serious no one can reach a serious tier: say so rather than stay silent.
        serious_note = "no serious offence codes or harm threshold were given, so no victimisation counts as serious"
    else:
        serious_note = None
    unmatched_note = None
    end = groups.as_of
    start = end - np.timedelta64(int(window_days), "D")

    serious_group = np.zeros(len(groups.group_count), dtype=bool)
    if serious_selection.codes:
        assert groups.offence_labels is not None and groups.group_offence is not None  # refused above otherwise
        selected = serious_selection.most_specific(groups.offence_labels)
        serious_group |= (selected >= 0)[groups.group_offence]
        if not serious_selection.hierarchical:
            # Labels compared as written have no list to check a typo against: say which selected nothing.
            unused = sorted(set(serious_selection.codes) - {serious_selection.codes[i] for i in selected[selected >= 0].tolist()})
            if unused:
                unmatched_note = f"serious offence code{'s' if len(unused) > 1 else ''} {', '.join(unused)} match no event's offence as written"
    if serious_harm is not None:
        assert groups.group_weight is not None  # a threshold without weights was refused above
        serious_group |= groups.group_weight >= serious_harm

    # One order for the groups, whoever grouped them (the rows here, the engine there), so sums add in one order.
    canonical = np.lexsort(
        (
            groups.group_weight if groups.group_weight is not None else np.zeros(len(groups.group_count)),
            groups.group_offence if groups.group_offence is not None else np.zeros(len(groups.group_count), dtype=np.int64),
            groups.group_person,
        )
    )
    groups = dataclasses.replace(
        groups,
        group_person=groups.group_person[canonical],
        group_offence=None if groups.group_offence is None else groups.group_offence[canonical],
        group_weight=None if groups.group_weight is None else groups.group_weight[canonical],
        group_count=groups.group_count[canonical],
        group_first=groups.group_first[canonical],
        group_last=groups.group_last[canonical],
    )
    serious_group = serious_group[canonical]
    position = groups.group_person
    person = groups.person
    victims = len(person)
    count = np.bincount(position, weights=groups.group_count, minlength=victims).astype(np.int64)
    first = np.full(victims, np.iinfo(np.int64).max)
    last = np.full(victims, np.iinfo(np.int64).min)
    np.minimum.at(first, position, groups.group_first)
    np.maximum.at(last, position, groups.group_last)
    first = first.astype("datetime64[D]")
    last = last.astype("datetime64[D]")
    serious = np.bincount(position, weights=serious_group, minlength=victims) > 0
    harm = None if groups.group_weight is None else np.bincount(position, weights=groups.group_weight * groups.group_count, minlength=victims)

    tier = response_tier_indices(count, serious, tiers)

    # Most victimised first, then most recent, then first seen: a stable order for the same data.
    order = np.lexsort((np.arange(victims), -last.astype(np.int64), -count))
    rank = np.empty(victims, dtype=np.int64)
    rank[order] = np.arange(victims)

    if groups.group_offence is not None and groups.offence_labels is not None:  # both or neither, from the offences
        kinds = len(groups.offence_labels)
        pairs, inverse = np.unique(rank[position] * kinds + groups.group_offence, return_inverse=True)
        offence_count = np.bincount(inverse, weights=groups.group_count, minlength=len(pairs)).astype(np.int64)
        offence_person = pairs // kinds
        offence_code = groups.offence_labels[pairs % kinds]
    else:
        offence_person = np.empty(0, dtype=np.int64)
        offence_code = np.empty(0, dtype=object)
        offence_count = np.empty(0, dtype=np.int64)

    repeat = count >= 2
    events = int(count.sum())
    repeat_events = int(count[repeat].sum())
    summary: dict[str, Any] = {
        "prevalence": victims,
        "incidence": events,
        "repeat_victims": int(repeat.sum()),
        "repeat_events": repeat_events,
        "concentration": repeat_events / events if events else None,
        "events_per_victim": events / victims if victims else None,
        "serious_victims": int(serious.sum()),
        "by_tier": {t.name: int((tier == i).sum()) for i, t in enumerate(tiers)},
        "events_before_window": groups.events_before_window,
        "events_after_as_of": groups.events_after_as_of,
    }
    if harm is not None:
        total_harm = float(harm.sum())
        summary["harm"] = total_harm
        summary["repeat_harm"] = float(harm[repeat].sum())
        summary["harm_concentration"] = summary["repeat_harm"] / total_harm if total_harm > 0 else None
    notes = [note for note in (serious_note, unmatched_note) if note]
    if (tier == -1).any():
        notes.append(f"{int((tier == -1).sum())} victims meet no response tier")
    summary["notes"] = notes

    return RepeatVictimsResult(
        as_of=end,
        window_days=int(window_days),
        person=person[order],
        count=count[order],
        first=first[order],
        last=last[order],
        serious=serious[order],
        tier=tier[order],
        harm=None if harm is None else harm[order],
        offence_person=offence_person,
        offence_code=offence_code,
        offence_count=offence_count,
        tiers=tiers,
        summary=summary,
        parameters={
            "as_of": str(end),
            "window_start_exclusive": str(start),
            "window_days": int(window_days),
            "serious_codes": list(serious_selection.codes),
            "offence_codes": (f"{classification.name}: a code selects every code below it" if classification is not None else "compared as written"),
            "serious_harm": serious_harm,
            "harm_weighted": weighted,
            "offences_given": offences_given,
            "events": groups.events,
        },
    )
