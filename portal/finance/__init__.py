"""Finance (财务): offline payments, reconciliation, day close, collection rate, arrears, exports."""
