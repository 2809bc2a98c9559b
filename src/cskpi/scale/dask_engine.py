"""The KPI declarations on a Dask cluster, over a Parquet dataset in a folder or any fsspec URL.

Each table is read with ``dask.dataframe.read_parquet`` (only the columns the KPIs and breakdowns
need, row groups outside the report's dates skipped by ``filters``). On the workers every partition
is typed and checked as the loader does, then reduced to mergeable KPI parts for every period and
breakdown (cskpi.scale.parts); the client merges the parts and finishes each KPI.

Memory: counts, sums and maxima travel as one row per group. Exact percentiles need every value:
each partition sends its values (float64, 8 bytes per record, per percentile KPI and breakdown) and
the client holds those of the whole report while it finishes — e.g. 10M tickets a month × 8
percentile KPIs ≈ 640 MB per month on the client, nothing on the workers after their task.

Records are taken as they are: a ticket or call id found in several files is not merged (the
pandas and partitioned engines merge copies); see docs/scale.md.

Needs the optional dependency ``cskpi[dask]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from cskpi.config import Config
from cskpi.errors import UsageError
from cskpi.io import read, schema
from cskpi.io.vendor_maps import apply_map, identity_map
from cskpi.metrics.periods import Period
from cskpi.metrics.results import KpiValue
from cskpi.scale.columns import DATE_COLUMN, needed_columns
from cskpi.scale.partitioned import MARGIN, SLICED
from cskpi.scale.parts import PartsAccumulator


def _dask() -> Any:
    try:
        import dask.dataframe as dd
        from dask.distributed import Client  # noqa: F401 - checked here, used by callers
    except ImportError:
        raise UsageError(
            "the dask engine needs Dask. Install it with: pip install 'cskpi[dask]'"
        ) from None
    return dd


def connect(scheduler: str | None, *, workers: int = 2, processes: bool = True) -> Any:
    """A client of the scheduler at ``scheduler`` (tcp://host:8786), else of a new LocalCluster."""
    _dask()
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise UsageError(
                f"--scheduler {scheduler!r}: cannot connect ({exc}). Start one with "
                "`dask-scheduler` and give its address, e.g. tcp://10.0.0.5:8786"
            ) from None
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=":0",  # any free port: a busy 8787 must not stop the run
    )
    return Client(cluster)


def find_parquet(root: str, storage_options: dict[str, Any] | None = None) -> dict[str, str]:
    """Per table, the Parquet path (a file, or a folder of files) under ``root``."""
    from fsspec.core import url_to_fs

    fs, base = url_to_fs(root, **(storage_options or {}))
    protocol = root.split("://", 1)[0] + "://" if "://" in root else ""
    found: dict[str, str] = {}
    for table in schema.TABLES:
        folder = f"{base.rstrip('/')}/{table}"
        single = f"{folder}.parquet"
        if fs.isdir(folder) and fs.glob(f"{folder}/**/*.parquet"):
            found[table] = protocol + folder
        elif fs.exists(single):
            found[table] = protocol + single
    return found


def canonical_partition(frame: pd.DataFrame, table: str, tz: str) -> pd.DataFrame:
    """One partition typed and checked like a canonical Parquet file (rejected rows left out)."""
    from cskpi.io.canonical import to_canonical

    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    headers = list(frame.columns)
    raw = read.RawTable(
        path=table,
        frame=frame,
        lines=pd.RangeIndex(1, len(frame) + 1).to_numpy(),
        headers=headers,
        format="parquet",
    )
    return to_canonical(apply_map(raw, identity_map(table, headers)), tz=tz).frame


def partition_parts(
    frame: pd.DataFrame,
    table: str,
    template: dict[str, pd.DataFrame],
    periods: Sequence[Period],
    by: Sequence[str],
    config: Config,
    tz: str,
) -> PartsAccumulator:
    """Runs on a worker: the KPI parts of one partition."""
    accumulator = PartsAccumulator(template, periods, by, config, settle=False)
    return accumulator.add({table: canonical_partition(frame, table, tz)})


def _filters(
    table: str, periods: Sequence[Period], dtype: Any
) -> list[tuple[str, str, Any]] | None:
    if not isinstance(dtype, pd.DatetimeTZDtype):
        return None
    start = min(p.start for p in periods) - MARGIN
    end = max(p.end for p in periods) + MARGIN
    column = DATE_COLUMN[table]
    if table == "tickets":
        return [(column, "<", end.tz_convert("UTC"))]  # older open tickets count in backlog_end
    return [(column, ">=", start.tz_convert("UTC")), (column, "<", end.tz_convert("UTC"))]


def compute_dask(
    client: Any,
    frames: dict[str, Any],
    loaded: dict[str, pd.DataFrame],
    periods: Sequence[Period],
    by: Sequence[str],
    config: Config,
    *,
    tz: str,
) -> list[KpiValue]:
    """Every KPI for ``periods``: parts per partition on the workers, finished on the client.

    ``frames`` are lazy Dask frames of canonical Parquet tables (see :func:`open_dask`); ``loaded``
    small in-memory tables (costs, agents) added once on the client.
    """
    import dask

    template = {name: frame.iloc[0:0] for name, frame in loaded.items()}
    for table, lazy in frames.items():
        template[table] = canonical_partition(lazy._meta, table, tz)
    tasks = []
    for table, lazy in frames.items():
        part = dask.delayed(partition_parts, pure=True)
        tasks += [
            part(piece, table, template, list(periods), list(by), config, tz)
            for piece in lazy.to_delayed()
        ]
    root = PartsAccumulator(template, periods, by, config)
    root.add(loaded)
    if tasks:
        futures = client.compute(tasks)
        for accumulator in client.gather(futures):
            root.merge(accumulator)
    return root.rows()


def open_dask(
    source: str,
    by: Sequence[str],
    periods_hint: Sequence[Period] | None = None,
    *,
    storage_options: dict[str, Any] | None = None,
    every_column: bool = False,
) -> dict[str, Any]:
    """Lazy frames of every canonical Parquet table under ``source`` (folder or fsspec URL),
    with pushdown filters for the report dates when they are known."""
    dd = _dask()
    frames = {}
    for table, path in find_parquet(source, storage_options).items():
        if table not in SLICED:
            continue
        lazy = dd.read_parquet(path, storage_options=storage_options)
        wanted = schema.TABLES[table].names if every_column else needed_columns(table, by)
        columns = [c for c in wanted if c in lazy.columns]
        filters = None
        if periods_hint:
            filters = _filters(table, periods_hint, lazy._meta[DATE_COLUMN[table]].dtype)
        frames[table] = dd.read_parquet(
            path, columns=columns, filters=filters, storage_options=storage_options
        )
    return frames


def dask_range(
    frames: dict[str, Any], loaded: dict[str, pd.DataFrame], tz: str
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Earliest and latest dated record (for the default periods), computed on the cluster."""
    import dask

    from cskpi.scale.columns import data_range

    lows, highs = [], []
    pairs = [(lazy[DATE_COLUMN[t]].min(), lazy[DATE_COLUMN[t]].max()) for t, lazy in frames.items()]
    for low, high in dask.compute(*pairs):
        if pd.notna(low):
            lows.append(_utc(pd.Timestamp(low), tz))
            highs.append(_utc(pd.Timestamp(high), tz))
    loaded_range = data_range(loaded)
    if loaded_range is not None:
        lows.append(loaded_range[0])
        highs.append(loaded_range[1])
    return (min(lows), max(highs)) if lows else None


def _utc(stamp: pd.Timestamp, tz: str) -> pd.Timestamp:
    return stamp.tz_localize(tz).tz_convert("UTC") if stamp.tz is None else stamp.tz_convert("UTC")
