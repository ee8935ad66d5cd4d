"""Bills and payments (应收, 实收, 欠费, 收据, 退款): the ledger.

=====================  =================================================================
module                 what it holds
=====================  =================================================================
:mod:`.money`          integer fen, the one rounding rule, yuan and capital numerals
:mod:`.model`          periods, due dates, bills, payments, refunds and their states
:mod:`.bills`          bills in the store, and the conditional updates that change them
:mod:`.run`            the billing run: one bill per unit, item and period (idempotent)
:mod:`.readings`       meter readings import (CSV/XLSX, per-row report)
:mod:`.statements`     what owners and finance see of a unit's bills
:mod:`.payments`       creating a payment (server's amount, bills held), reading it
:mod:`.ledger`         recording a verified notification in one transaction; the sweep
:mod:`.receipts`       gap-free receipt numbers and printable receipts (zh-CN, English)
:mod:`.refunds`        refunds by finance through the provider, audited step by step
:mod:`.records`        payments and refunds as store items
:mod:`.providers`      the payment provider interface (adapters: Alipay, WeChat Pay, sandbox)
=====================  =================================================================
"""
