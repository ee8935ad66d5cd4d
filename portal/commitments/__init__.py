"""Our commitments, kept in public (服务承诺): each month's KPI results per estate against the
targets, prepared by a daily job, approved by a supervisor (with a plain sentence for each
missed target: why, and what is being done), and published on the static commitments page.

- :mod:`.model`: the snapshot of a month (from :class:`portal.workorders.kpi.KpiReport`);
- :mod:`.service`: prepare (the job), approve (the API), what is published (the build);
- :mod:`.published`: the build input (a JSON file) and what the page shows.
"""
