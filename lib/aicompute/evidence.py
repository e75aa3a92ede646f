"""The evidence known on an as-of date: the one way a chapter reads the data package.

``ev = aicompute.data.evidence(as_of)`` gives a notebook every table, claim and source **published on or
before** ``as_of`` and nothing later::

    ev.table("commitments")      # rows published by as_of, with a `published` column
    ev.claims()                  # the claims ledger (joined with its sources) as known on as_of
    ev.claim("abilene_gw")       # one claim; NotYetPublished if it became public after as_of
    ev.value("abilene_gw")       # its value (same rule); ev.value(id, default=None) instead of raising
    ev.latest("a", "b")          # the first of several claims (newest vintage first) that is known
    ev.latest(series="openai_arr")                       # the newest reading of a series (claims' series/period)
    ev.latest(series="big4_capex_guidance", period=2026)  # the newest vintage for one period
    ev.cutoff                    # publication date of the latest evidence known on as_of
    ev.unobserved                # the months from cutoff to as_of were not searched (narrative.evidence.header)

**When a row is published.** Each resource says how in ``data/datapackage.json`` with the property
``"published"``: a list of its fields. A row's publication date is the latest of those fields' dates, where
a date field counts as itself, a field that refers to ``sources`` counts as that source's publication date,
and a field that refers to ``claims`` counts as that claim's publication date. Without the property, the
fields that refer to sources or claims are used. A claim is published when both its source is out and the
date it refers to has passed (the later of ``claims.as_of`` and its source's date). A row that refers to no
dated field is timeless (e.g. a signpost definition) and always known.

Rows that link a claim (``claim_id``) with empty ``value``/``low``/``high`` get them from the claim.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import shutil
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from aicompute import datapackage as data
from aicompute.datapackage import _refs, check_dating, dating_fields
from aicompute.paths import DEFAULT_PARAMS, default_as_of

__all__ = ["Evidence", "NotYetPublished", "evidence", "published_dates", "SWEEP_RESOURCE", "dating_fields",
           "check_dating"]

SWEEP_RESOURCE = "sweep_log"
_MISSING: Any = object()


class NotYetPublished(LookupError):
    """Asked for evidence that became public after the as-of date (the message says when)."""


def _date(value: str | dt.date | pd.Timestamp) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"as_of: expected a date as YYYY-MM-DD, got {value!r}") from None


def _resource_spec(name: str, folder: Path | None) -> dict[str, Any]:
    return data._resource(name, folder)[1]


def published_dates(name: str, frame: pd.DataFrame, *, folder: Path | None = None,
                    source_dates: pd.Series | None = None, claim_dates: pd.Series | None = None) -> pd.Series:
    """Publication date of each row of resource ``name`` (NaT for a timeless row)."""
    res = _resource_spec(name, folder)
    fields = dating_fields(res)
    refs = _refs(res)
    types = {f["name"]: f.get("type") for f in res.get("schema", {}).get("fields", [])}
    if name == "sources":
        return pd.to_datetime(frame["date"])
    parts = []
    for f in fields:
        if f not in frame.columns:
            raise ValueError(f"resource '{name}': 'published' names unknown field '{f}'")
        if refs.get(f) == "sources":
            if source_dates is None:
                source_dates = data.load("sources", folder=folder).set_index("id")["date"]
            parts.append(frame[f].map(source_dates))
        elif refs.get(f) == "claims":
            if claim_dates is None:
                claims = data.load("claims", folder=folder)
                claim_dates = published_dates("claims", claims, folder=folder, source_dates=source_dates) \
                    .set_axis(claims["id"])
            parts.append(frame[f].map(claim_dates))
        elif types.get(f) == "date":
            parts.append(pd.to_datetime(frame[f]))
        else:
            raise ValueError(f"resource '{name}': 'published' field '{f}' is neither a date nor a reference "
                             "to sources or claims")
    if not parts:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.concat(parts, axis=1).max(axis=1)


@dataclass
class Evidence:
    """Everything the data package holds that was public on ``as_of`` (see the module docstring)."""

    as_of: dt.date
    folder: Path | None = None
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    # -- the package, filtered ------------------------------------------------------------------------
    @cached_property
    def _source_dates(self) -> pd.Series:
        return data.load("sources", folder=self.folder).set_index("id")["date"]

    @cached_property
    def _claims_all(self) -> pd.DataFrame:
        """The whole ledger joined with its sources, with each claim's publication date."""
        led = data.claims(self.folder)
        led["published"] = published_dates("claims", led, folder=self.folder, source_dates=self._source_dates)
        return led

    def _all(self, name: str) -> pd.DataFrame:
        if name == "claims":
            return self._claims_all
        frame = data.load(name, folder=self.folder)
        claim_dates = self._claims_all.set_index("id")["published"]
        frame["published"] = published_dates(name, frame, folder=self.folder, source_dates=self._source_dates,
                                             claim_dates=claim_dates)
        return frame

    def _known_mask(self, frame: pd.DataFrame) -> pd.Series:
        return frame["published"].isna() | (frame["published"] <= pd.Timestamp(self.as_of))

    def table(self, name: str, *, resolve: bool = True) -> pd.DataFrame:
        """Resource ``name``: rows published on or before ``as_of``, with a ``published`` column.

        ``resolve``: rows that link a claim (``claim_id``) get empty value/low/high from that claim.
        """
        key = f"{name}|{resolve}"
        if key not in self._tables:
            frame = self._all(name)
            frame = frame[self._known_mask(frame)].reset_index(drop=True)
            if resolve and "claim_id" in frame.columns and "value" in frame.columns:
                frame = self._resolve(name, frame)
            self._tables[key] = frame
        return self._tables[key].copy()

    def _resolve(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        led = self._claims_all.set_index("id")
        out = frame.copy()
        for i, cid in out["claim_id"].items():
            if pd.isna(cid) or cid not in led.index:
                continue
            c = led.loc[cid]
            if "unit" in out.columns and out.at[i, "unit"] != c["unit"]:
                raise ValueError(f"{name}: row '{out.at[i, 'id']}' has unit '{out.at[i, 'unit']}' but its claim "
                                 f"'{cid}' has unit '{c['unit']}'")
            for col in ("value", "low", "high"):
                if col in out.columns and pd.isna(out.at[i, col]):
                    out.at[i, col] = c[col]
        return out

    def withheld(self, name: str) -> pd.DataFrame:
        """Rows of ``name`` that exist in the package but were published after ``as_of``."""
        frame = self._all(name)
        return frame[~self._known_mask(frame)].reset_index(drop=True)

    def claims(self) -> pd.DataFrame:
        """The claims ledger as known on ``as_of`` (joined with source title, publisher, url, type, date)."""
        return self.table("claims", resolve=False)

    def sources(self) -> pd.DataFrame:
        """Sources published on or before ``as_of``."""
        return self.table("sources", resolve=False)

    # -- single claims ----------------------------------------------------------------------------------
    def claim(self, claim_id: str):  # -> data.Claim
        """One claim, if published by ``as_of``; raises :class:`NotYetPublished` (saying when) otherwise."""
        led = self._claims_all
        hit = led[led["id"] == claim_id]
        if hit.empty:
            close = difflib.get_close_matches(claim_id, led["id"].tolist(), n=3)
            hint = f"; did you mean {close}?" if close else ""
            raise data.DataError(data._resource("claims", self.folder)[0], f"no claim with id '{claim_id}'{hint}",
                                 column="id")
        published = hit.iloc[0]["published"]
        if pd.notna(published) and published > pd.Timestamp(self.as_of):
            raise NotYetPublished(f"claim '{claim_id}' was published on {published.date()}, after the as-of date "
                                  f"{self.as_of}: it is not evidence yet")
        return data.claim_of(hit.iloc[0])

    def known(self, claim_id: str) -> bool:
        """Whether claim ``claim_id`` was public on ``as_of``."""
        try:
            self.claim(claim_id)
        except NotYetPublished:
            return False
        return True

    def value(self, claim_id: str, default: Any = _MISSING) -> Any:
        """A claim's value; ``default`` (if given) instead of raising when it is not yet published."""
        try:
            return self.claim(claim_id).value
        except NotYetPublished:
            if default is _MISSING:
                raise
            return default

    def latest(self, *claim_ids: str, series: str | None = None, period: Any = None,
               default: Any = _MISSING):  # -> data.Claim
        """The newest claim known by ``as_of``: either the first of ``claim_ids`` (newest vintage first) that is
        published, or -- with ``series`` -- the claim of that series (claims.csv ``series``/``period``) with the
        latest period, and of those the latest published (a revision replaces what it revises). ``period``
        (a date, "YYYY-MM-DD", or a year) restricts it to one period: the newest vintage of, e.g., 2026's
        guidance. A new reading is then a data-only change: add the row, and every query sees it. ``default``
        (if given) is returned instead of raising :class:`NotYetPublished` when nothing is known yet."""
        try:
            if series is not None:
                if claim_ids:
                    raise TypeError("latest: give claim ids or series=..., not both")
                return self.claim(self._latest_id(series, period))
            if period is not None:
                raise TypeError("latest: period=... needs series=...")
            for cid in claim_ids:
                if self.known(cid):
                    return self.claim(cid)
            raise NotYetPublished(f"none of {list(claim_ids)} was published by the as-of date {self.as_of}")
        except NotYetPublished:
            if default is _MISSING:
                raise
            return default

    def series(self, series: str) -> pd.DataFrame:
        """Every claim of ``series`` known by ``as_of``, oldest period first (then oldest publication)."""
        led = self._claims_all
        if "series" not in led.columns:
            raise ValueError("claims.csv has no 'series' column")
        rows = led[led["series"] == series]
        if rows.empty:
            close = difflib.get_close_matches(series, sorted(led["series"].dropna().unique()), n=3)
            hint = f"; did you mean {close}?" if close else ""
            raise data.DataError(data._resource("claims", self.folder)[0], f"no claim of series '{series}'{hint}",
                                 column="series")
        rows = rows[self._known_mask(rows)]
        return rows.sort_values(["period", "published", "as_of", "id"]).reset_index(drop=True)

    def _latest_id(self, series: str, period: Any) -> str:
        rows = self.series(series)
        if period is not None:
            want = pd.Timestamp(dt.date(int(period), 1, 1) if isinstance(period, int) else _date(period))
            rows = rows[rows["period"] == want]
        if rows.empty:
            what = f"series '{series}'" + (f" for period {period}" if period is not None else "")
            raise NotYetPublished(f"no claim of {what} was published by the as-of date {self.as_of}")
        last = rows.iloc[-1]
        ties = rows[(rows["period"] == last["period"]) & (rows["published"] == last["published"])
                    & (rows["as_of"] == last["as_of"])]
        if len(ties) > 1:
            raise data.DataError(data._resource("claims", self.folder)[0],
                                 f"series '{series}': claims {sorted(ties['id'])} share period, date and publication; "
                                 "say which is newer (dates) or give them different series", column="series")
        return str(last["id"])

    def seed_claims(self) -> pd.DataFrame:
        """The seed article's claims (ledger rows with ``seed_text``), public from the seed's date.

        What the seed says is known from its publication; the audit of a claim (sourced value, verdict,
        reason) only once its evidence is published. Claims whose evidence is later than ``as_of`` keep the
        seed's text and figure, with verdict ``pending``, no sourced value and no reason
        (:func:`aicompute.narrative.evidence.with_pending_reasons` words one).
        """
        led = self._claims_all
        seed = led[led["seed_text"].notna()].copy()
        if self.as_of < self.seed_date:
            return seed.iloc[0:0]
        late = seed["published"] > pd.Timestamp(self.as_of)
        seed.loc[late, ["value", "low", "high"]] = float("nan")
        seed.loc[late, "statement"] = seed.loc[late, "seed_text"]
        seed.loc[late, "verdict"] = "pending"
        seed.loc[late, "reason"] = None
        for col in ("source_id", "source_title", "source_publisher", "source_url", "source_type"):
            if col in seed.columns:
                seed.loc[late, col] = None
        seed.loc[late, "published"] = pd.Timestamp(self.seed_date)
        return seed.reset_index(drop=True)

    def changes_since_seed(self, *chapters: str) -> pd.DataFrame:
        """Material events the evidence sweep found for ``chapters`` (claims-ledger chapter names), published
        between the seed article and ``as_of``: event_date, event, bears_on, source_id, claim_id."""
        cols = ["event_date", "event", "bears_on", "source_id", "claim_id", "chapter"]
        if SWEEP_RESOURCE not in data.resources(self.folder):
            return pd.DataFrame(columns=cols)
        log = self.table(SWEEP_RESOURCE, resolve=False)
        found = log[(log["outcome"] == "found") & log["chapter"].isin(chapters or log["chapter"].unique())
                    & (log["event_date"] > pd.Timestamp(self.seed_date))]
        return found.sort_values(["event_date", "id"])[cols].reset_index(drop=True)

    @cached_property
    def seed_date(self) -> dt.date:
        """Publication date of the seed article (source ``seed_article``)."""
        return self._source_dates["seed_article"].date()

    # -- dates --------------------------------------------------------------------------------------------
    @cached_property
    def cutoff(self) -> dt.date:
        """Publication date of the latest evidence in the package that is known on ``as_of``."""
        latest = pd.Timestamp.min
        for name in data.resources(self.folder):
            if name == SWEEP_RESOURCE:
                continue
            dates = self.table(name, resolve=False)["published"].dropna()
            if len(dates):
                latest = max(latest, dates.max())
        return latest.date() if latest != pd.Timestamp.min else self.as_of

    @cached_property
    def swept_to(self) -> str | None:
        """The last month (YYYY-MM) the evidence sweep searched, from the sweep log; None without one."""
        if SWEEP_RESOURCE not in data.resources(self.folder):
            return None
        log = data.load(SWEEP_RESOURCE, folder=self.folder)
        return str(log["month"].max()) if len(log) else None

    @property
    def unobserved(self) -> bool:
        """True when the latest evidence is older than ``as_of`` and the sweep did not search up to the
        as-of month: the months in between are unobserved (:func:`aicompute.narrative.evidence.header`
        says so)."""
        return self.cutoff < self.as_of and (self.swept_to is None or self.swept_to < self.as_of.isoformat()[:7])


def evidence(as_of: str | dt.date | pd.Timestamp | None = None, *, folder: Path | None = None) -> Evidence:
    """The evidence known on ``as_of`` (see the module docstring); ``None``: the report's as-of date
    (``report/params/default.yaml``, :func:`aicompute.paths.default_as_of`), as a chapter's ``as_of = None``.
    Pass it on explicitly: chart source lines cite with the labels of its date's bibliography
    (``charts.show(..., ev=ev)``)."""
    if as_of is None:
        project = Path(folder).resolve().parent if folder is not None else None
        as_of = default_as_of(project if project is not None and (project / DEFAULT_PARAMS).is_file() else None)
    return Evidence(_date(as_of), Path(folder) if folder is not None else None)


def _csv_records(text: str) -> list[str]:
    """The records of a CSV text, each exactly as written (quoted newlines included); blank lines dropped."""
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines)
    out, start = [], 0
    for row in reader:
        if row:
            out.append("".join(lines[start:reader.line_num]))
        start = reader.line_num
    return out


def write_package(as_of: str | dt.date | pd.Timestamp, dest: Path, *, folder: Path | None = None) -> dict[str, int]:
    """The data package as it stood on ``as_of``, written to folder ``dest`` (the site's download).

    Each resource keeps only its rows published on or before ``as_of`` (the rule of :meth:`Evidence.table`),
    each row byte for byte as in the source file; a table can be left with its header alone. Every other file
    is copied as it is. Returns the number of rows left out, per resource that lost any.
    """
    src = Path(folder) if folder is not None else data.data_dir()
    ev = Evidence(_date(as_of), src)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    pkg_path, pkg = data._package(src)
    paths = {res["path"]: res["name"] for res in pkg["resources"] if "path" in res}
    withheld: dict[str, int] = {}
    for f in sorted(src.rglob("*")):
        if not f.is_file():
            continue
        rel = f.relative_to(src).as_posix()
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        name = paths.get(rel)
        if name is None:
            shutil.copy2(f, dest / rel)
            continue
        frame = ev._all(name)
        known = ev._known_mask(frame).to_numpy()
        if known.all():
            shutil.copy2(f, dest / rel)
            continue
        records = _csv_records(f.read_text(encoding="utf-8"))
        if len(records) != len(frame) + 1:
            raise ValueError(f"{f}: {len(records) - 1} CSV records but {len(frame)} rows parsed; cannot filter by date")
        kept = [records[0], *(r for r, k in zip(records[1:], known) if k)]
        text = "".join(kept)
        if not text.endswith("\n"):
            text += "\n"
        (dest / rel).write_text(text, encoding="utf-8")
        withheld[name] = int((~known).sum())
    return withheld
