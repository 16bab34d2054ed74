"""Helpers for tests that drive several server processes at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import stripe

T = TypeVar("T")


def stripe_client(key: str, base: str) -> stripe.StripeClient:
    """An SDK client that reports every failure instead of retrying it away."""
    return stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=0)


def all_at_once(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run every call on its own thread, released together; re-raise the first failure."""
    start = threading.Barrier(len(calls))

    def released(call: Callable[[], T]) -> T:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(released, call) for call in calls]
        return [future.result() for future in futures]
