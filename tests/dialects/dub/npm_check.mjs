// Drives the npm `dub` SDK against a Rolodex server; prints what it saw as JSON.
import { Dub } from "dub";
import { NotFound, UnprocessableEntity } from "dub/models/errors";

const [serverURL, token] = process.argv.slice(2);
const dub = new Dub({ token, serverURL });

async function create(externalId) {
  const response = await fetch(`${serverURL}/customers`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ externalId, country: "US", avatar: "https://example.com/a.png" }),
  });
  return (await response.json()).id;
}

async function caught(call) {
  try {
    await call();
    return null;
  } catch (error) {
    return { type: error.constructor.name, code: error.error?.code, message: error.error?.message };
  }
}

const ids = [];
for (const externalId of ["n0", "n1", "n2", "n3", "n4"]) ids.push(await create(externalId));
const updated = await dub.customers.update({
  id: "ext_n0",
  requestBody: { name: "Node", avatar: null, email: "node@example.com" },
});
const fetched = await dub.customers.get({ id: "ext_n0" });
const pages = [];
for await (const page of await dub.customers.list({ pageSize: 2 })) {
  pages.push(page.result.map((customer) => customer.externalId));
}
const deleted = await dub.customers.delete("ext_n4");
const missing = await caught(() => dub.customers.get({ id: "ext_n4" }));
const invalid = await caught(() => dub.customers.list({ pageSize: 101 }));
console.log(JSON.stringify({
  ids, updated, fetched, pages, deleted, missing, invalid,
  typed: [missing?.type === NotFound.name, invalid?.type === UnprocessableEntity.name],
}));
