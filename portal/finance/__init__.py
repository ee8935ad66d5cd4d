"""Finance: offline payments, handover, direct debits, collection rate, arrears, exports."""
