"""Autumn's customer operations over the service: get-or-create, get, update, delete.

Autumn addresses a customer by the id its caller chose or by Autumn's internal id; both resolve
to the stored record here, and a missing customer is reported under the id that was asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rolodex import service
from rolodex.core.errors import AlreadyExists, NotFound
from rolodex.core.query import AllOf, Attr, Compare, IsNull, Op
from rolodex.core.records import Record, Tenant
from rolodex.dialects.autumn import translate
from rolodex.dialects.autumn.errors import customer_already_exists, customer_not_found
from rolodex.dialects.autumn.errors import invalid_request as invalid_request_error
from rolodex.service import ById, ByKey, Context
from rolodex.store.base import ListQuery

_CREATE_ATTEMPTS = 4


async def find(ctx: Context, tenant: Tenant, customer_id: str) -> Record | None:
    """The live customer with this id, or with this internal id."""
    if "\x00" in customer_id:
        return None  # no id can hold it (see wire.nul_path), and PostgreSQL cannot bind it
    record = await ctx.store.find(tenant, translate.CUSTOMER_ID, customer_id)
    if record is None and translate.INTERNAL_ID.fullmatch(customer_id):
        record = await ctx.store.get(tenant, customer_id)
    return None if record is None or record.deleted else record


async def get(ctx: Context, tenant: Tenant, customer_id: str) -> Record:
    record = await find(ctx, tenant, customer_id)
    if record is None:
        raise customer_not_found(customer_id)
    return record


async def get_or_create(ctx: Context, tenant: Tenant, given: Mapping[str, Any]) -> Record:
    """The customer with the given id (or, without one, the email-only customer with the email),
    created when there is none; repeating the call changes nothing but blank fields."""
    customer_id, email = given["customer_id"], given.get("email")
    translate.check_currency(given)
    if customer_id is None and not email:
        raise invalid_request_error("Either customer ID or email is required")
    for _ in range(_CREATE_ATTEMPTS):
        existing, claimed = await _existing(ctx, tenant, customer_id, email)
        if existing is not None:  # a customer claimed gets its id and nothing else sent
            return existing if claimed else await _filled_in(ctx, existing, given)
        try:
            return await _create(ctx, tenant, given)
        except AlreadyExists:  # the id, or the email, taken since our look-up: look again
            continue
    # Other requests kept taking the id, or the email, between our look-ups and our inserts.
    existing, _ = await _existing(ctx, tenant, customer_id, email)
    if existing is None:
        raise customer_not_found(str(customer_id or email))
    return existing


async def update(
    ctx: Context, tenant: Tenant, customer_id: str, given: Mapping[str, Any]
) -> Record:
    translate.check_currency(given)
    record = await get(ctx, tenant, customer_id)
    new_id = given.get("new_customer_id")
    if new_id is not None and new_id != record.fields.get("customer_id"):
        await _check_free(ctx, tenant, new_id, record)
    else:
        given = {name: value for name, value in given.items() if name != "new_customer_id"}
    ref = _ref(record, customer_id)
    command = service.UpdateCustomer(tenant, ref, translate.patch_of(given), translate.SPEC)
    try:
        return (await service.update_customer(ctx, command)).record
    except NotFound:
        raise customer_not_found(customer_id) from None
    except AlreadyExists:
        raise customer_already_exists(new_id or customer_id) from None


async def delete(ctx: Context, tenant: Tenant, customer_id: str) -> dict[str, Any]:
    record = await get(ctx, tenant, customer_id)
    command = service.DeleteCustomer(tenant, _ref(record, customer_id), translate.SPEC, hard=True)
    try:
        await service.delete_customer(ctx, command)
    except NotFound:
        raise customer_not_found(customer_id) from None
    return {"success": True}


def _ref(record: Record, customer_id: str) -> ByKey | ById:
    """How a write addresses the customer found under ``customer_id``: by that id, when it is
    the customer's id, so that a rename committed meanwhile leaves the customer missing under
    it, as a later request would find it; by its internal id otherwise."""
    if record.fields.get(translate.CUSTOMER_ID.name) == customer_id:
        return ByKey(translate.CUSTOMER_ID, customer_id)
    return ById(record.id)


async def _existing(
    ctx: Context, tenant: Tenant, customer_id: str | None, email: str | None
) -> tuple[Record | None, bool]:
    """The customer the call is about, if there is one, and whether this call just claimed
    it: gave an email-only customer ``customer_id``."""
    if customer_id is not None and (record := await find(ctx, tenant, customer_id)) is not None:
        return record, False
    orphan = await _email_only(ctx, tenant, email) if email else None
    if orphan is None or customer_id is None:
        return orphan, False
    claimed = await _claimed(ctx, orphan, customer_id)
    return claimed, claimed is not None


async def _email_only(ctx: Context, tenant: Tenant, email: str) -> Record | None:
    """The oldest customer without an id whose email matches, ignoring case."""
    where = AllOf(
        (
            Compare(Attr("email_lower"), Op.EQ, email.lower()),
            IsNull(Attr(translate.CUSTOMER_ID.name)),
        )
    )
    query = ListQuery(tenant, where=where, spec=translate.SPEC, limit=1, newest_first=False)
    page = await service.list_customers(ctx, query)
    return page.records[0] if page.records else None


async def _claimed(ctx: Context, orphan: Record, customer_id: str) -> Record | None:
    """The email-only customer, now holding ``customer_id``; ``None`` if another request won."""
    command = service.UpdateCustomer(
        orphan.tenant, ById(orphan.id), translate.claim(customer_id), translate.SPEC
    )
    try:
        record = (await service.update_customer(ctx, command)).record
    except (NotFound, AlreadyExists):
        return None
    return record if record.fields.get(translate.CUSTOMER_ID.name) == customer_id else None


async def _filled_in(ctx: Context, record: Record, given: Mapping[str, Any]) -> Record:
    plan = translate.fill_in(given)
    if not plan(record).entries:
        return record
    command = service.UpdateCustomer(record.tenant, ById(record.id), plan, translate.SPEC)
    try:
        return (await service.update_customer(ctx, command)).record
    except NotFound:
        return record


async def _create(ctx: Context, tenant: Tenant, given: Mapping[str, Any]) -> Record:
    command = service.CreateCustomer(
        tenant=tenant,
        fields=translate.new_fields(given, given["customer_id"]),
        spec=translate.SPEC,
        new_id=translate.new_internal_id,
    )
    return await service.create_customer(ctx, command)


async def _check_free(ctx: Context, tenant: Tenant, new_id: str, record: Record) -> None:
    """Autumn refuses a new id that another customer holds, as its id or its internal id."""
    holder = await find(ctx, tenant, new_id)
    if holder is not None and holder.id != record.id:
        raise customer_already_exists(new_id)
