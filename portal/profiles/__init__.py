"""The owner profile of a unit (客户动态表): what staff keep beside the roster, one timeline of
every contact, and the archive completeness KPI (档案完好率).

- :mod:`~portal.profiles.model`: segments, occupancy, members, the one definition of complete.
- :mod:`~portal.profiles.repository`: the store (keys in :mod:`portal.store.keys`).
- :mod:`~portal.profiles.timeline`: orders, the steps the owner saw, callbacks.
- :mod:`~portal.profiles.service`: read, keep (with a history line), list, completeness.
"""
