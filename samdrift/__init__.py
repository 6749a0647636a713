"""samdrift: coordinated, secure IT operations for Swedish state agencies."""
