"""Escrow's services: agreements, releases, disputes and claims, payments and payouts.

Money moves through the platform's ledger (`trustplatform.ledger.services`), not through here.
"""
