"""Report paths beyond one in-memory month: a bounded-memory period-by-period engine over a Parquet
history (:mod:`cskpi.scale.partitioned`) and a Dask engine (:mod:`cskpi.scale.dask_engine`).

Both evaluate the same KPI declarations (cskpi.metrics.registry) as the pandas engine and give the
same tidy rows.
"""
