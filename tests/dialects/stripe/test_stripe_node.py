"""The official stripe-node SDK (23.1.0, API 2026-10-28.endive) against a real server.

It installs stripe-node with npm into a temporary directory; without node, npm or a reachable
npm registry the test skips and says why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.server import Server

STRIPE_NODE = "stripe@23.1.0"
SCRIPT = r"""
const Stripe = require('stripe');
const [url, key] = process.argv.slice(2);
const {hostname, port} = new URL(url);
const stripe = new Stripe(key, {host: hostname, port: Number(port), protocol: 'http'});
(async () => {
  const created = await stripe.customers.create({
    email: 'node@example.com', name: 'Node', preferred_locales: ['fr', 'en'],
    metadata: {plan: 'pro', drop: 'me'}, address: {city: 'Paris', country: 'FR'},
    invoice_settings: {custom_fields: [{name: 'PO', value: '1'}]}, expand: ['tax'],
  });
  const changes = {metadata: {drop: ''}, description: 'd'};
  const updated = await stripe.customers.update(created.id, changes);
  for (let i = 0; i < 4; i++) await stripe.customers.create({name: 'more ' + i});
  const walked = [];
  for await (const customer of stripe.customers.list({limit: 2})) walked.push(customer.id);
  let missing;
  try { await stripe.customers.retrieve('cus_missing'); } catch (error) {
    missing = {type: error.type, statusCode: error.statusCode, code: error.code, param: error.param,
               message: error.message};
  }
  const deleted = await stripe.customers.del(created.id);
  console.log(JSON.stringify({created, updated, walked, missing, deleted}));
})().catch((error) => { console.error(error); process.exit(1); });
"""


@pytest.fixture(scope="session")
def stripe_node(tmp_path_factory: pytest.TempPathFactory) -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run stripe-node")
    workdir = tmp_path_factory.mktemp("stripe-node")
    install = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--silent", STRIPE_NODE],
        cwd=workdir, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if install.returncode != 0:
        pytest.skip(
            f"npm could not install {STRIPE_NODE} (registry unreachable?): {install.stderr[-500:]}"
        )
    (workdir / "run.js").write_text(SCRIPT)
    return workdir


def test_stripe_node_round_trip(stripe_node: Path, server: Server, stripe_key: str) -> None:
    run = subprocess.run(
        ["node", "run.js", server.url, stripe_key],
        cwd=stripe_node, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    created, updated = result["created"], result["updated"]
    assert created["preferred_locales"] == ["fr", "en"]
    assert created["address"]["city"] == "Paris" and created["address"]["line1"] is None
    assert created["invoice_settings"]["custom_fields"] == [{"name": "PO", "value": "1"}]
    assert created["tax"]["location"] == {
        "country": "FR",
        "source": "billing_address",
        "state": None,
    }
    assert updated["metadata"] == {"plan": "pro"} and updated["description"] == "d"
    assert len(result["walked"]) == 5 and result["walked"][-1] == created["id"]
    assert result["missing"] == {
        "type": "StripeInvalidRequestError",
        "statusCode": 404,
        "code": "resource_missing",
        "param": "id",
        "message": "No such customer: 'cus_missing'",
    }
    assert result["deleted"] == {"id": created["id"], "object": "customer", "deleted": True}
