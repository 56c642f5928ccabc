"""What the journal documents (protocol, care plan, report) share."""
