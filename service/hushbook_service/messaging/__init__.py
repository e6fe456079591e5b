"""Messages to customers and staff: the exactly-once ledger, the channels they
leave through, their texts, and the signed links they carry."""
