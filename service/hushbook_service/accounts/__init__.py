"""Accounts: businesses (tenants), staff logins, passwords, TOTP, tokens, roles
and the tenant scoping every query goes through."""
