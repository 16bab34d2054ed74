// autumn-js against Rolodex: every customer operation and one typed error.
// Usage: node customers.mjs <server url> <secret key>; prints one JSON report on stdout.
import { Autumn, AutumnError } from "autumn-js";

const [serverURL, secretKey] = process.argv.slice(2);
const autumn = new Autumn({ serverURL, secretKey });
const report = {};

const created = await autumn.customers.getOrCreate({
  customerId: "js-user",
  name: "Jay",
  email: "jay@example.com",
  metadata: { plan: "pro", drop: "me" },
});
report.created = { id: created.id, env: created.env, createdAt: created.createdAt };

const updated = await autumn.customers.update({
  customerId: "js-user",
  newCustomerId: "js-user-2",
  name: null,
  metadata: { drop: null, seat: 3 },
});
report.updated = { id: updated.id, name: updated.name, metadata: updated.metadata };

const fetched = await autumn.customers.get({ customerId: "js-user-2" });
report.fetched = {
  id: fetched.id,
  createdAt: fetched.createdAt,
  subscriptions: fetched.subscriptions,
  balances: fetched.balances,
};

const page = await autumn.customers.list({ limit: 10 });
report.listed = page.list.map((customer) => customer.id);

try {
  await autumn.customers.get({ customerId: "js-user" });
  report.missing = "no error";
} catch (error) {
  report.missing = {
    typed: error instanceof AutumnError,
    status: error.statusCode,
    body: JSON.parse(error.body),
  };
}

report.deleted = await autumn.customers.delete({ customerId: "js-user-2" });
console.log(JSON.stringify(report));
