"""The official dub SDK listing customers: filters, sorting, both kinds of paging, every 422."""

from __future__ import annotations

from typing import Any

import pytest
from dub import Dub
from dub.models import errors

from rolodex.dialects.dub.params import MAX_CUSTOMER_IDS, MAX_SEARCH_LENGTH
from tests.conftest import random_key
from tests.dialects.dub.conftest import Workspace
from tests.support.server import Server


def listed(dub: Dub, **request: Any) -> list[str]:
    """The external ids of one page."""
    page = dub.customers.list(request=request)
    assert page is not None
    return [customer.external_id for customer in page.result]


def rejected(dub: Dub, **request: Any) -> str:
    with pytest.raises(errors.UnprocessableEntity) as failure:
        dub.customers.list(request=request)
    assert failure.value.status_code == 422
    assert failure.value.data.error.code.value == "unprocessable_entity"
    return failure.value.data.error.message


@pytest.fixture
def five(workspace: Workspace) -> list[str]:
    """Five customers, created in the order of their external ids."""
    names = ["c0", "c1", "c2", "c3", "c4"]
    for name in names:
        workspace.create(externalId=name)
    return names


def test_default_order_is_newest_first(dub: Dub, five: list[str]) -> None:
    assert listed(dub) == five[::-1]
    assert listed(dub, sort_order="asc") == five
    assert listed(dub, sort_by="createdAt", sort_order="desc", page_size=100) == five[::-1]


def test_filters_and_their_precedence(dub: Dub, workspace: Workspace) -> None:
    workspace.create(externalId="jo", email="jo@example.com", name="Jo March", country="US")
    workspace.create(externalId="amy", email="amy@example.com", name="Amy March", country="FR")
    workspace.create(
        externalId="beth", email="beth.march@example.com", name="Beth March", country="FR"
    )
    assert listed(dub, email="amy@example.com") == ["amy"]
    assert listed(dub, email="AMY@example.com") == []
    assert listed(dub, email="amy@example.com", external_id="jo", search="beth") == ["amy"]
    assert listed(dub, external_id="jo", search="beth") == ["jo"]
    assert listed(dub, search="beth@example.com") == []
    assert listed(dub, search="jo@example.com") == ["jo"]
    assert listed(dub, search="march") == ["beth"]  # in the email and in the name
    assert listed(dub, search="beth ~amy*", sort_order="asc") == ["amy", "beth"]
    assert listed(dub, search="()") == []
    assert listed(dub, country="FR", sort_order="asc") == ["amy", "beth"]
    assert listed(dub, country="FR", search="amy") == ["amy"]
    assert listed(dub, link_id="link_123") == []


def test_program_filters_need_a_program(dub: Dub, five: list[str]) -> None:
    for request in ({"program_id": "prog_1"}, {"partner_id": "pn_1"}):
        with pytest.raises(errors.NotFound) as missing:
            dub.customers.list(request=request)
        assert missing.value.data.error.message == "Program not found"


def test_sort_by_subscription_cancellation(dub: Dub, workspace: Workspace) -> None:
    cancellations = {
        "a": "2024-03-01T00:00:00Z", "b": None, "c": "2024-01-01T00:00:00Z", "d": None,
        "e": "2024-02-01T00:00:00+01:00",
    }  # fmt: skip
    for name, canceled in cancellations.items():
        workspace.create(externalId=name)
        if canceled:
            dub.customers.update(
                request={
                    "id": f"ext_{name}",
                    "request_body": {"subscription_canceled_at": canceled},
                }
            )
    by = "subscriptionCanceledAt"
    assert listed(dub, sort_by=by) == ["a", "e", "c", "d", "b"]
    assert listed(dub, sort_by=by, sort_order="asc") == ["b", "d", "c", "e", "a"]
    assert listed(dub, sort_by=by, page=2, page_size=2) == ["c", "d"]


def test_sale_sorts_fall_back_to_creation_order(dub: Dub, five: list[str]) -> None:
    for by in ("saleAmount", "firstSaleAt"):
        assert listed(dub, sort_by=by) == five[::-1]
        assert listed(dub, sort_by=by, sort_order="asc", page=2, page_size=2) == five[2:4]


def test_offset_paging(dub: Dub, five: list[str]) -> None:
    assert listed(dub, page_size=2) == ["c4", "c3"]
    assert listed(dub, page=2, page_size=2) == ["c2", "c1"]
    assert listed(dub, page=3, page_size=2) == ["c0"]
    assert listed(dub, page=4, page_size=2) == []
    assert listed(dub, page=1000, page_size=2) == []


def test_cursor_paging_both_ways(dub: Dub, workspace: Workspace, five: list[str]) -> None:
    ids = {c.external_id: c.id for c in dub.customers.list(request={}).result}  # type: ignore[union-attr]
    assert listed(dub, starting_after=ids["c3"], page_size=2) == ["c2", "c1"]
    assert listed(dub, ending_before=ids["c1"], page_size=2) == ["c3", "c2"]
    assert listed(dub, ending_before=ids["c3"], page_size=2) == ["c4"]
    assert listed(dub, starting_after=ids["c1"], sort_order="asc", page_size=2) == ["c2", "c3"]
    assert listed(dub, ending_before=ids["c3"], sort_order="asc", page_size=2) == ["c1", "c2"]
    assert listed(dub, starting_after=ids["c0"]) == []
    assert listed(dub, starting_after=ids["c4"], external_id="c4") == []
    raw = workspace.http.get(
        "/customers", params={"startingAfter": "", "page": "2", "pageSize": "2"}
    )
    assert [c["externalId"] for c in raw.json()] == ["c2", "c1"]


def test_auto_pagination_protocol_walks_every_page(dub: Dub, five: list[str]) -> None:
    """The SDK's ``next()`` repeats the request with ``startingAfter`` = the last id and stops
    on an empty page. (In dub 0.39.0 its JSONPath library cannot read ``$[-1].id``, so ``next()``
    stops after one page; the requests it is generated to send are sent here as it would.)"""

    def walk(**request: Any) -> list[list[str]]:
        pages, after = [], None
        while True:
            page = dub.customers.list(request={**request, "starting_after": after})
            assert page is not None
            pages.append([c.external_id for c in page.result])
            if not page.result:
                return pages
            after = page.result[-1].id

    assert walk(page_size=2) == [["c4", "c3"], ["c2", "c1"], ["c0"], []]
    assert walk(page_size=3, sort_order="asc") == [["c0", "c1", "c2"], ["c3", "c4"], []]
    with pytest.raises(errors.UnprocessableEntity):  # it keeps a page the caller set
        walk(page_size=2, page=1)


def test_query_validation_messages(dub: Dub, workspace: Workspace, five: list[str]) -> None:
    assert rejected(dub, page_size=101) == "too_big: pageSize: Max page size is 100."
    assert rejected(dub, page_size=0) == "too_small: pageSize: Page size must be greater than 0."
    assert rejected(dub, page=0) == "too_small: page: Page must be greater than 0."
    assert rejected(dub, page=-3) == "too_small: page: Page must be greater than 0."
    assert rejected(dub, page=1001) == (
        "Page is too big (cannot be more than 1000), recommend using cursor-based pagination "
        "instead."
    )
    raw = {
        "page=abc": "invalid_type: page: Page must be a number.",
        "pageSize=Infinity": "invalid_type: pageSize: Page size must be a number.",
        "sortBy=name": 'invalid_value: sortBy: Invalid option: expected one of "createdAt"|'
        '"saleAmount"|"firstSaleAt"|"subscriptionCanceledAt"',
        "sortOrder=up": 'invalid_value: sortOrder: Invalid option: expected one of "asc"|"desc"',
        "includeExpandedFields=1": "invalid_value: includeExpandedFields: Invalid option: "
        'expected one of "true"|"false"',
        "sortBy=name&page=0": 'invalid_value: sortBy: Invalid option: expected one of "createdAt"|'
        '"saleAmount"|"firstSaleAt"|"subscriptionCanceledAt"',
    }
    for query, message in raw.items():
        for path in ("/customers", "/customers/ext_c0"):
            response = workspace.http.get(f"{path}?{query}")
            assert response.status_code == 422, query
            assert response.json()["error"]["message"] == message
    assert [c["externalId"] for c in workspace.http.get("/customers?pageSize=0x2").json()] == [
        "c4", "c3",
    ]  # fmt: skip


def test_cursor_rules_in_order(dub: Dub, five: list[str]) -> None:
    page = dub.customers.list(request={})
    assert page is not None
    known = page.result[0].id
    assert rejected(dub, starting_after=known, ending_before=known, sort_by="saleAmount") == (
        "You cannot use both startingAfter and endingBefore at the same time."
    )
    assert rejected(dub, starting_after=known, sort_by="saleAmount", page=1) == (
        "Cursor-based pagination only supports sorting by `createdAt`. Use offset-based "
        "pagination (page/pageSize) for other sort fields."
    )
    assert rejected(dub, ending_before=known, page=1) == (
        "You cannot use both page and startingAfter/endingBefore at the same time. "
        "Please use one pagination method."
    )
    for cursor in ("cus_1M7ZZZZZZZZZZZZZZZZZZZZZZ", "ext_c0"):
        assert rejected(dub, starting_after=cursor) == (
            "Invalid cursor: the provided ID does not exist."
        )


def test_customer_ids_narrow_every_other_filter(
    dub: Dub, server: Server, workspace: Workspace, five: list[str]
) -> None:
    ids = {c.external_id: c.id for c in dub.customers.list(request={}).result}  # type: ignore[union-attr]

    def only(customer_ids: str, **query: str) -> list[str]:
        response = workspace.http.get("/customers", params={"customerIds": customer_ids, **query})
        assert response.status_code == 200, response.text
        return [customer["externalId"] for customer in response.json()]

    assert only("cus_nope") == []
    assert only(",") == []
    assert only("") == five[::-1]  # an empty value counts as absent
    assert only(f"{ids['c1']},cus_nope,{ids['c3']},{ids['c1']}") == ["c3", "c1"]
    assert only(f"{ids['c1']},{ids['c3']}", sortOrder="asc", pageSize="1") == ["c1"]
    assert only(f"{ids['c1']},{ids['c3']}", externalId="c3") == ["c3"]
    assert only(f"{ids['c1']},{ids['c3']}", startingAfter=ids["c3"]) == ["c1"]
    assert only("ext_c1") == []  # Dub ids only, as Dub compares them
    with Workspace(server, random_key("dub_")) as other:
        assert other.http.get("/customers", params={"customerIds": ids["c1"]}).json() == []


def test_customer_ids_are_bounded(workspace: Workspace) -> None:
    too_many = ",".join(f"cus_{i}" for i in range(MAX_CUSTOMER_IDS + 1))
    response = workspace.http.get("/customers", params={"customerIds": too_many})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        f"too_big: customerIds: Too big: expected array to have <={MAX_CUSTOMER_IDS} items"
    )
    most = ",".join(f"cus_{i}" for i in range(MAX_CUSTOMER_IDS))
    assert workspace.http.get("/customers", params={"customerIds": most}).json() == []


def test_the_longest_search_runs_on_every_backend(dub: Dub, workspace: Workspace) -> None:
    workspace.create(externalId="hit", name="Jo W99", email="w99@example.com")
    workspace.create(externalId="miss", name="Jo", email="jo@example.com")
    words = [f"w{i:02d}" for i in range(100)]  # as many distinct words as fit
    most_words = " ".join([*words, "é" * (MAX_SEARCH_LENGTH - 4 * len(words))])
    assert len(most_words) == MAX_SEARCH_LENGTH
    assert listed(dub, search=most_words) == ["hit"]
    assert listed(dub, search="_" * MAX_SEARCH_LENGTH) == []


def test_search_matches_whole_words_as_mysql_full_text_does(dub: Dub, workspace: Workspace) -> None:
    workspace.create(externalId="john", name="John Smith", email="john.smith@acme.com")
    workspace.create(externalId="johnny", name="Johnny Smithers", email="johnny@acme.com")
    assert listed(dub, search="john") == ["john"]  # not Johnny: words, not substrings
    assert listed(dub, search="johnny") == ["johnny"]
    assert listed(dub, search="ohn") == []
    assert listed(dub, search="SMITH") == ["john"]
    assert listed(dub, search="john.smith") == ["john"]  # punctuation splits words
    assert listed(dub, search="acme") == []  # in both emails, in neither name
    assert listed(dub, search="acme smith") == ["john"]  # any word, in each field
    assert listed(dub, search="jo") == []  # shorter than the index keeps
    assert listed(dub, search="com john") == ["john"]  # "com" is a stopword
    assert listed(dub, search="com") == []


def test_a_longer_search_is_refused(dub: Dub) -> None:
    message = f"too_big: search: Too big: expected string to have <={MAX_SEARCH_LENGTH} characters"
    assert rejected(dub, search="x" * (MAX_SEARCH_LENGTH + 1)) == message
    assert rejected(dub, search=" ".join(f"w{i}" for i in range(1000))) == message
