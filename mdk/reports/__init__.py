"""The report to the referring unit: its page, its downloads (PDF, FHIR)."""
