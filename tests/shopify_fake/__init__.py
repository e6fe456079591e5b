"""A faithful local Shopify for the Shopify app's tests (docs/shopify.md, "How it
is tested"): the admin that embeds the app, App Bridge, the storefront with the
theme app extension and the app proxy, over TLS under Shopify's own host names.

Modules: ``signing`` (the signers, checked against Shopify's vectors),
``theme`` (the extension's Liquid through python-liquid), ``fake`` (the state,
the host-dispatching server, TLS), ``admin`` (admin shell, App Bridge
stand-in), ``storefront`` (theme pages, CDN assets, app proxy).
"""
