"""Secondary review at the host unit: tasks, statements, the worklist."""
