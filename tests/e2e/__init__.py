"""End-to-end proof: a real WordPress, a real browser, a real service, worker and mail server."""
