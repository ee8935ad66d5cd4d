"""Staff, finance and admin accounts (员工账号).

Each account has roles from the policy table and a scope: the estates it works
in and, optionally per estate, the buildings (a butler usually looks after a
few buildings). Admin is company-wide and needs no estates; every other role
needs at least one.

=====================  ===========================================================
module                 what it holds
=====================  ===========================================================
:mod:`.model`          the account, the inputs that create and change one, its item
:mod:`.repository`     where accounts are stored (conditional writes, gsi1 listing)
:mod:`.validation`     the rules for usernames, names, roles and scope; visibility
:mod:`.service`        admin management, with audit (:class:`.service.StaffService`)
=====================  ===========================================================

Signing in with a password is :mod:`portal.accounts.signin.staff`.
"""
