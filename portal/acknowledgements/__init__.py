"""Read coverage of critical notices (已知晓): an outage or safety notice that asks for
acknowledgement, the households that gave it, and those still to call or visit.

- :mod:`.rules`: the one rule of which notices may ask (:data:`~.rules.ACKNOWLEDGE_FIELD`,
  :data:`~.rules.ACKNOWLEDGE_CATEGORIES`);
- :mod:`.model`: the critical notice, coverage (and the rule, re-exported);
- :mod:`.repository`: the store (keys in :mod:`portal.store.owner_keys`);
- :mod:`.service`: owners acknowledge, staff see coverage per building;
- :mod:`.sync`: the notices of the site's content that ask, registered for the API.
"""
