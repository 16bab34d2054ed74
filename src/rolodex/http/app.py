"""Build the ASGI application: every dialect mounted on one router, nothing made at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import ASGIApp

from rolodex.dialects.autumn import routes as autumn
from rolodex.dialects.dub import routes as dub
from rolodex.dialects.stripe import routes as stripe
from rolodex.dialects.wire import AsgiEndpoint
from rolodex.service import Context
from rolodex.settings import Settings
from rolodex.store.base import Store


def create_app(settings: Settings, store: Store, *, migrate: bool = True) -> ASGIApp:
    """The application over ``store``; it migrates at start-up and closes the store at exit.

    Stripe answers at the root (so an SDK's base address is the server itself) and under
    ``/stripe``.
    """
    ctx = Context(store=store, locked=settings.locked)
    stripe_routes = stripe.routes(ctx)

    @asynccontextmanager
    async def lifespan(_app: object) -> AsyncIterator[None]:
        if migrate:
            await store.migrate()
        try:
            yield
        finally:
            await store.close()

    return Router(
        routes=[
            # Stripe's root routes first: they are the busiest, and no path that one of them
            # matches (all under /v1/) can match a mount, so the order decides nothing else.
            *stripe_routes,
            Mount("/stripe", app=_stripe_router(stripe_routes)),
            Mount("/autumn", routes=autumn.routes(ctx)),
            Mount("/dub", routes=dub.routes(ctx)),
            # A mount takes only the paths below its prefix; the prefix itself is the
            # dialect's too, so it gets the dialect's answer to a path it does not serve.
            Route("/autumn", AsgiEndpoint(autumn.unrouted)),
            Route("/dub", AsgiEndpoint(dub.unknown_path)),
        ],
        default=stripe.not_found,
        lifespan=lifespan,
        redirect_slashes=False,
    )


def _stripe_router(routes: list[BaseRoute]) -> Router:
    """Stripe's routes under ``/stripe``, where any other path is Stripe's JSON 404 (a
    Stripe SDK cannot read Starlette's plain-text one), and no slash is added or dropped by
    a redirect, as Stripe adds none."""
    return Router(routes=routes, default=stripe.not_found, redirect_slashes=False)
