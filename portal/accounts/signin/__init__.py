"""Signing in: owners with a code by SMS (:mod:`.owner`), staff with a password (:mod:`.staff`)."""
