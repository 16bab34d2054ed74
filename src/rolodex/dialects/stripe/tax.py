"""Where Stripe Tax places a customer, and ``tax[validate_location]=immediately``.

Stripe Tax uses the shipping address first, then the billing address; a US address needs its
postal code. Stripe can also place a customer by IP address; Rolodex has no geolocation, so an
IP address alone leaves the location unknown (shown as ``unrecognized_location``) but is not
refused by an immediate validation, which Stripe would most likely pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rolodex.core.records import Document, Record
from rolodex.dialects.stripe.errors import StripeError

LOCATION_UNRECOGNIZED = (
    "The customer's location isn't recognized. Set a valid customer address in order to "
    "automatically calculate tax."
)


def tax_object(record: Record) -> dict[str, Any]:
    location = tax_location(record.fields)
    return {
        "automatic_tax": "unrecognized_location" if location is None else "supported",
        "ip_address": record.fields.get("tax", {}).get("ip_address"),
        "location": location,
        "provider": "stripe",
    }


def tax_location(fields: Document) -> dict[str, Any] | None:
    shipping = (fields.get("shipping") or {}).get("address")
    billing = fields.get("address")
    for address, source in ((shipping, "shipping_destination"), (billing, "billing_address")):
        if address and address.get("country"):
            if address["country"] == "US" and not address.get("postal_code"):
                return None
            return {"country": address["country"], "source": source, "state": address.get("state")}
    return None


def validate_location(params: Mapping[str, Any], fields: Document) -> None:
    """``tax[validate_location]=immediately`` refuses a customer Stripe Tax cannot place."""
    if (params.get("tax") or {}).get("validate_location") != "immediately":
        return
    if tax_location(fields) is None and not fields.get("tax", {}).get("ip_address"):
        raise StripeError(LOCATION_UNRECOGNIZED, code="customer_tax_location_invalid")
