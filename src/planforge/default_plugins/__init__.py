"""planforge's own field types and filters, registered through the public hooks."""
