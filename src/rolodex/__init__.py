"""Rolodex: a durable customer-records service speaking the Stripe, Autumn and Dub APIs."""

__version__ = "0.1.0"
