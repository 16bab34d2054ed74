"""Every error class Stripe answers for customers, as the official SDK receives it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
import stripe

from tests.conftest import random_key
from tests.dialects.stripe.conftest import sdk
from tests.support.server import Server


def refused(call: Callable[[], Any]) -> stripe.StripeError:
    with pytest.raises(stripe.StripeError) as failure:
        call()
    return failure.value


def describe(error: stripe.StripeError) -> tuple[Any, ...]:
    body = error.error
    assert body is not None
    return type(error), error.http_status, body.type, body.code, body.param, body.message


def test_unknown_parameter(client: stripe.StripeClient) -> None:
    error = refused(lambda: client.v1.customers.create({"notaparameter": "x"}))  # type: ignore[typeddict-unknown-key]
    assert describe(error) == (
        stripe.InvalidRequestError, 400, "invalid_request_error", "parameter_unknown",
        "notaparameter", "Received unknown parameter: notaparameter",
    )  # fmt: skip


def test_unknown_nested_parameter(client: stripe.StripeClient) -> None:
    error = refused(lambda: client.v1.customers.create({"address": {"town": "x"}}))  # type: ignore[typeddict-unknown-key]
    assert describe(error)[3:] == (
        "parameter_unknown", "address[town]", "Received unknown parameter: address[town]",
    )  # fmt: skip


def test_invalid_email(client: stripe.StripeClient) -> None:
    error = refused(lambda: client.v1.customers.create({"email": "otameshi@com"}))
    assert describe(error)[1:] == (
        400, "invalid_request_error", "email_invalid", "email",
        "Invalid email address: otameshi@com",
    )  # fmt: skip


def test_too_long(client: stripe.StripeClient) -> None:
    phone = "0123456789" + "5" * 11
    error = refused(lambda: client.v1.customers.create({"phone": phone}))
    assert describe(error)[3:] == (
        None, "phone", "Invalid string: 0123...5555; must be at most 20 characters",
    )  # fmt: skip


def test_wrong_types(client: stripe.StripeClient) -> None:
    as_hash = refused(lambda: client.v1.customers.create({"name": {"first": "J"}}))  # type: ignore[typeddict-item]
    assert describe(as_hash)[4:] == ("name", 'Invalid string: {"first":"J"}')
    as_string = refused(lambda: client.v1.customers.create({"address": "Paris"}))  # type: ignore[typeddict-item]
    assert describe(as_string)[4:] == ("address", "Invalid object")
    as_float = refused(lambda: client.v1.customers.create({"balance": 55.5}))  # type: ignore[typeddict-item]
    assert describe(as_float)[3:] == (
        "parameter_invalid_integer",
        "balance",
        "Invalid integer: 55.5",
    )
    as_word = refused(lambda: client.v1.customers.create({"validate": "maybe"}))  # type: ignore[typeddict-item]
    assert describe(as_word)[3:] == (None, "validate", "Invalid boolean: maybe")


def test_bad_enum(client: stripe.StripeClient) -> None:
    error = refused(lambda: client.v1.customers.create({"tax_exempt": "sometimes"}))  # type: ignore[typeddict-item]
    assert describe(error)[4:] == (
        "tax_exempt", "Invalid tax_exempt: must be one of exempt, none, or reverse",
    )  # fmt: skip


def test_missing_customer(client: stripe.StripeClient) -> None:
    for call in (
        lambda: client.v1.customers.retrieve("cus_x"),
        lambda: client.v1.customers.update("cus_x", {"name": "n"}),
        lambda: client.v1.customers.delete("cus_x"),
    ):
        assert describe(refused(call)) == (
            stripe.InvalidRequestError, 404, "invalid_request_error", "resource_missing", "id",
            "No such customer: 'cus_x'",
        )  # fmt: skip


def test_missing_customer_wins_over_missing_references(client: stripe.StripeClient) -> None:
    error = refused(lambda: client.v1.customers.update("cus_x", {"default_source": "card_1"}))
    assert describe(error)[4:] == ("id", "No such customer: 'cus_x'")


def test_missing_cursors_and_both_cursors(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    for name in ("starting_after", "ending_before"):
        error = refused(lambda name=name: client.v1.customers.list({name: "cus_gone"}))  # type: ignore[misc]
        assert describe(error)[1:] == (
            400, "invalid_request_error", "resource_missing", name, "No such customer: 'cus_gone'",
        )  # fmt: skip
    both = refused(
        lambda: client.v1.customers.list(
            {"starting_after": customer.id, "ending_before": customer.id}
        )
    )
    assert describe(both)[1:] == (
        400, "invalid_request_error", None, None,
        "Received both starting_after and ending_before parameters. Please pass in only one.",
    )  # fmt: skip


def test_limit_out_of_range(client: stripe.StripeClient) -> None:
    high = refused(lambda: client.v1.customers.list({"limit": 101}))
    assert describe(high)[3:] == (
        "parameter_invalid_integer", "limit", "This value must be less than or equal to 100.",
    )  # fmt: skip
    low = refused(lambda: client.v1.customers.list({"limit": 0}))
    assert describe(low)[5] == "This value must be greater than or equal to 1."


def test_bad_expand_paths(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    bogus = refused(lambda: client.v1.customers.retrieve(customer.id, {"expand": ["bogus"]}))
    assert describe(bogus)[1:] == (
        400, "invalid_request_error", None, "expand", "This property cannot be expanded (bogus).",
    )  # fmt: skip
    no_data = refused(lambda: client.v1.customers.list({"expand": ["tax"]}))
    assert describe(no_data)[5] == (
        "This property cannot be expanded (tax). You may want to try expanding 'data.tax' instead."
    )
    too_deep = "data.discount.customer.default_source.customer"
    deep = refused(lambda: client.v1.customers.list({"expand": [too_deep]}))
    assert describe(deep)[3:] == (
        "property_expansion_max_depth", "expand",
        f"You cannot expand more than 4 levels of a property. Property: {too_deep}",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("parameters", "message", "param"),
    [
        ({"payment_method": "pm_card_visa"}, "No such PaymentMethod: 'pm_card_visa'",
         "payment_method"),
        ({"source": "tok_visa"}, "No such token: 'tok_visa'", "source"),
        ({"test_clock": "clock_1"}, "No such test clock: 'clock_1'", "test_clock"),
        ({"invoice_settings": {"default_payment_method": "pm_1"}}, "No such PaymentMethod: 'pm_1'",
         "invoice_settings[default_payment_method]"),
    ],
)  # fmt: skip
def test_references_to_objects_rolodex_does_not_hold(
    client: stripe.StripeClient, parameters: dict[str, Any], message: str, param: str
) -> None:
    error = refused(lambda: client.v1.customers.create(parameters))  # type: ignore[arg-type]
    assert describe(error)[1:] == (400, "invalid_request_error", "resource_missing", param, message)
    assert client.v1.customers.list().data == []


@pytest.mark.parametrize(
    ("parameters", "message", "param"),
    [
        ({"default_source": "card_1"}, "No such source: 'card_1'", "default_source"),
        ({"card": "tok_chargeDeclined"}, "No such token: 'tok_chargeDeclined'", "card"),
        ({"source": "src_1"}, "No such source: 'src_1'", "source"),
    ],
)
def test_update_references_leave_the_customer_untouched(
    client: stripe.StripeClient, parameters: dict[str, Any], message: str, param: str
) -> None:
    customer = client.v1.customers.create({"name": "kept"})
    error = refused(
        lambda: client.v1.customers.update(customer.id, {**parameters, "name": "changed"})
    )  # type: ignore[arg-type]
    assert describe(error)[3:] == ("resource_missing", param, message)
    assert client.v1.customers.retrieve(customer.id).name == "kept"


def test_discount_parameters_depend_on_the_api_version(client: stripe.StripeClient) -> None:
    old = {"stripe_version": "2024-06-20"}
    coupon = refused(lambda: client.v1.customers.create({"coupon": "SPRING"}, old))  # type: ignore[typeddict-unknown-key, arg-type]
    assert describe(coupon)[3:] == ("resource_missing", "coupon", "No such coupon: 'SPRING'")
    promotion = refused(lambda: client.v1.customers.create({"promotion_code": "promo_1"}, old))  # type: ignore[typeddict-unknown-key, arg-type]
    assert describe(promotion)[5] == "No such promotion code: 'promo_1'"
    current = refused(lambda: client.v1.customers.create({"coupon": "SPRING"}))  # type: ignore[typeddict-unknown-key]
    assert describe(current)[3:] == (
        "parameter_unknown",
        "coupon",
        "Received unknown parameter: coupon",
    )


def test_metadata_limit_counts_the_keys_kept(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create({"metadata": {f"k{i}": "v" for i in range(40)}})
    error = refused(
        lambda: client.v1.customers.update(
            customer.id, {"metadata": {f"n{i}": "v" for i in range(11)}}
        )
    )
    assert describe(error)[4:] == ("metadata", "Metadata can have up to 50 keys, but you've set 51")
    assert len(client.v1.customers.retrieve(customer.id).metadata.to_dict()) == 40


def test_a_request_may_remove_every_key_and_set_new_ones(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create({"metadata": {f"k{i}": "v" for i in range(50)}})
    removed: dict[str, str] = {f"k{i}": "" for i in range(50)}
    updated = client.v1.customers.update(customer.id, {"metadata": {**removed, "new": "x"}})
    assert updated.metadata.to_dict() == {"new": "x"}


def test_tax_id_values_of_the_wrong_shape(client: stripe.StripeClient) -> None:
    error = refused(
        lambda: client.v1.customers.create(
            {"tax_id_data": [{"type": "eu_vat", "value": "DE123456789"},
                             {"type": "eu_vat", "value": "garbage!!"}]}
        )
    )  # fmt: skip
    assert describe(error)[1:] == (
        400, "invalid_request_error", "tax_id_invalid", "tax_id_data[1][value]",
        "Invalid value for eu_vat.",
    )  # fmt: skip


def test_a_customer_of_the_other_mode_is_named_in_the_404(server: Server) -> None:
    secret = random_key("", 24)
    test, live = sdk(server, "sk_test_" + secret), sdk(server, "sk_live_" + secret)
    in_test, in_live = test.v1.customers.create(), live.v1.customers.create()
    calls: list[Callable[[stripe.StripeClient, str], Any]] = [
        lambda client, id: client.v1.customers.retrieve(id),
        lambda client, id: client.v1.customers.update(id, {"name": "x"}),
        lambda client, id: client.v1.customers.delete(id),
    ]
    for call in calls:
        error = refused(functools.partial(call, live, in_test.id))
        assert describe(error)[1:] == (
            404, "invalid_request_error", "resource_missing", "id",
            f"No such customer: '{in_test.id}'; a similar object exists in test mode, but a "
            "live mode key was used to make this request.",
        )  # fmt: skip
    from_test = refused(lambda: test.v1.customers.retrieve(in_live.id))
    assert describe(from_test)[-1] == (
        f"No such customer: '{in_live.id}'; a similar object exists in live mode, but a test "
        "mode key was used to make this request."
    )
    assert test.v1.customers.retrieve(in_test.id).name is None  # the update above did not land
    assert describe(refused(lambda: test.v1.customers.retrieve("cus_nowhere")))[-1] == (
        "No such customer: 'cus_nowhere'"
    )


def test_invalid_version_header(client: stripe.StripeClient) -> None:
    error = refused(lambda: client.v1.customers.list(options={"stripe_version": "2019-2-19"}))
    assert describe(error)[1:] == (
        400, "invalid_request_error", None, None, "Invalid Stripe API version: 2019-2-19",
    )  # fmt: skip


def test_authentication_errors(server: Server) -> None:
    bad = refused(sdk(server, "sk_test_not-a-real-key").v1.customers.list)
    assert describe(bad) == (
        stripe.AuthenticationError, 401, "invalid_request_error", None, None,
        "Invalid API Key provided: sk_test_**********-key",
    )  # fmt: skip
    publishable = refused(sdk(server, "pk_test_abc").v1.customers.list)
    assert describe(publishable)[:4] == (
        stripe.AuthenticationError, 401, "invalid_request_error", "secret_key_required",
    )  # fmt: skip


def test_immediate_tax_location_validation(client: stripe.StripeClient) -> None:
    unplaced = refused(
        lambda: client.v1.customers.create({"tax": {"validate_location": "immediately"}})
    )
    assert describe(unplaced)[1:4] == (
        400,
        "invalid_request_error",
        "customer_tax_location_invalid",
    )
    assert client.v1.customers.list().data == []
    placed = client.v1.customers.create(
        {"address": {"country": "DE"}, "tax": {"validate_location": "immediately"}}
    )
    moved_away = refused(
        lambda: client.v1.customers.update(
            placed.id, {"address": "", "tax": {"validate_location": "immediately"}}
        )
    )
    assert describe(moved_away)[3] == "customer_tax_location_invalid"
    assert client.v1.customers.retrieve(placed.id).address is not None
