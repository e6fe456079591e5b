"""Client data that the service can seal but never open: sealed profiles, the
client book (figures, blind index, consent, export, erasure, retention), the
vault, delivery contacts and the blocklist."""
