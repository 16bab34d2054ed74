"""The Stripe dialect: ``/v1/customers`` as Stripe serves it, for the official SDKs."""
