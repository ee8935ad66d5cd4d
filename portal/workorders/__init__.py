"""Work orders and callbacks (工单与回访): the 15-30-60 service loop.

- :mod:`~portal.workorders.model`: what an order is (kinds, categories, urgencies, channels).
- :mod:`~portal.workorders.transitions`: the one table of states and who may move them.
- :mod:`~portal.workorders.sla`: the deadlines of an order and whether each was met.
- :mod:`~portal.workorders.ladder`: the escalation ladder (day 1 butler … day 4 project manager).
- :mod:`~portal.workorders.numbers`: ``BX-20261122-0007``, unique per estate and day.
- :mod:`~portal.workorders.repository`: the store (keys in :mod:`portal.store.keys`).
- :mod:`~portal.workorders.service`: submit, move, hand over, read; the rules above applied.
- :mod:`~portal.workorders.kpi`: the monthly KPIs of an estate, each with the orders behind it.
"""
