// A real Better Auth server for the kernia-admin conformance suite.
//
// Started by conformance/conformance_test.go (one process per script, fresh :memory: DB).
// Listens on 127.0.0.1 only. Migrates its schema, seeds an admin and a normal user, then
// prints exactly one line to stdout: "READY http://127.0.0.1:<port>". Everything else goes
// to stderr. SIGTERM/SIGINT exit 0.
//
// Environment:
//   PORT            port to listen on (default 0: pick a free one and print it)
//   BA_DB           SQLite file (default ":memory:")
//   BA_SECRET       auth secret (default: a fixed test secret)
//   BA_RATE_LIMIT=1 turn on Better Auth's built-in rate limiter (off by default)
//   BA_SCIM_TOKEN   static SCIM bearer token (default scim-test-token-0123456789)
//   BA_OPTIONAL=0   do not load the optional plugins (organization, sso, scim, stripe)
//   BA_STRIPE_WEBHOOK_SECRET  webhook signing secret of the stripe plugin (default: a fixed test one)
import http from "node:http";
import { once } from "node:events";

import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { admin, bearer, openAPI, organization } from "better-auth/plugins";
import { getMigrations } from "better-auth/db/migration";
import { apiKey } from "@better-auth/api-key";

const log = (...a) => console.error("[better-auth]", ...a);

const ADMIN = { email: "admin@example.com", password: "correct-horse-battery-staple", name: "Admin", role: "admin" };
const USER = { email: "user@example.com", password: "user-password-1234", name: "User", role: "user" };

async function optionalPlugins() {
  const out = [];
  if (process.env.BA_OPTIONAL === "0") return out;
  out.push(organization());
  try {
    const { sso } = await import("@better-auth/sso");
    out.push(sso());
  } catch (e) {
    log("sso plugin not loaded:", e.message);
  }
  try {
    // The Stripe plugin with a fake key: it makes no Stripe call at start or sign-up
    // (createCustomerOnSignUp is off), so its routes answer without network access.
    const { stripe } = await import("@better-auth/stripe");
    const { default: Stripe } = await import("stripe");
    out.push(stripe({
      stripeClient: new Stripe("sk_test_conformance_0000000000000000"),
      stripeWebhookSecret: process.env.BA_STRIPE_WEBHOOK_SECRET || "whsec_conformance_0000000000000000",
      createCustomerOnSignUp: false,
      subscription: { enabled: true, plans: [{ name: "pro", priceId: "price_conformance_pro" }] },
    }));
  } catch (e) {
    log("stripe plugin not loaded:", e.message);
  }
  try {
    const { scim } = await import("@better-auth/scim");
    const token = process.env.BA_SCIM_TOKEN || "scim-test-token-0123456789";
    out.push(scim({ connections: [{ id: "conformance", credentials: [{ type: "bearer", id: "static", token }] }] }));
  } catch (e) {
    log("scim plugin not loaded:", e.message);
  }
  return out;
}

async function main() {
  // Listen first: the base URL (and so the trusted origins) needs the port.
  const server = http.createServer();
  server.listen(Number(process.env.PORT || 0), "127.0.0.1");
  await once(server, "listening");
  const port = server.address().port;
  const baseURL = `http://127.0.0.1:${port}`;

  const options = {
    baseURL,
    basePath: "/api/auth",
    secret: process.env.BA_SECRET || "kernia-admin-conformance-secret-0123456789abcdef",
    trustedOrigins: [baseURL, `http://localhost:${port}`],
    database: new Database(process.env.BA_DB || ":memory:"),
    emailAndPassword: { enabled: true },
    rateLimit: { enabled: process.env.BA_RATE_LIMIT === "1" },
    telemetry: { enabled: false },
    plugins: [
      admin(),
      bearer(),
      openAPI(),
      apiKey({ enableSessionForAPIKeys: true }),
      ...(await optionalPlugins()),
    ],
  };

  const { runMigrations } = await getMigrations(options);
  await runMigrations();
  log("schema migrated");

  const auth = betterAuth(options);
  for (const u of [ADMIN, USER]) {
    await auth.api.createUser({ body: u });
  }
  log("seeded", ADMIN.email, "and", USER.email);

  server.on("request", toNodeHandler(auth));
  const stop = () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  process.stdout.write(`READY ${baseURL}\n`);
}

main().catch((e) => {
  log("startup failed:", e?.stack || e);
  process.exit(1);
});
