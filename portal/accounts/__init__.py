"""Who is asking, and what they may do: identities, the policy table, sessions, codes."""
