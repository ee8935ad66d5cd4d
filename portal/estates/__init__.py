"""The company, its estates, buildings and units.

=====================  ===========================================================
module                 what it holds
=====================  ===========================================================
:mod:`.model`          the company, estates, buildings, units, contacts, fees
:mod:`.source`         reading ``company.yaml`` (the site's content) into the model
:mod:`.records`        the model as store items, and back
:mod:`.directory`      the estate directory: what the API and CLI read (the store)
:mod:`.sync`           writing ``company.yaml`` into the store (idempotent)
=====================  ===========================================================

The write side never reads ``site/content``: it is not in the Lambda package.
"""
