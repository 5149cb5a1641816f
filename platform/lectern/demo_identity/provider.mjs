// The demo tenant's identity provider under `lectern dev`: npm `oidc-provider` (installed by
// bin/install) on a loopback port, so single sign-on can be tried on the demo without an
// organisation's IdP. Its sign-in page lists the demo people to sign in as (no passwords:
// it is a development stand-in, never run in production). Configured from the JSON file
// named by the first argument (written by lectern.demo_identity):
//   { "port": 8010, "issuer": "http://127.0.0.1:8010",
//     "client": {"client_id", "client_secret", "redirect_uris": [...]},
//     "people": [{"sub", "email", "name", "given_name", "family_name", "groups", "department"}] }
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";

import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const people = new Map(config.people.map((person) => [person.sub, person]));

// A fresh signing key each start: Lectern fetches the key set again on an unknown key.
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: randomBytes(6).toString("hex"), use: "sig", alg: "RS256" };

const provider = new Provider(config.issuer, {
  clients: [
    {
      ...config.client,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(24).toString("hex")] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "given_name", "family_name"],
    groups: ["groups", "department"],
  },
  scopes: ["openid", "email", "profile", "groups"],
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, sub) {
    const person = people.get(sub);
    if (!person) return undefined;
    return {
      accountId: sub,
      async claims() {
        const { sub: _ignored, ...claims } = person;
        return { sub, email_verified: true, ...claims };
      },
    };
  },
  // No consent screen: the demo portal is a first-party client.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope || "openid");
    grant.addOIDCClaims(["sub", "email", "email_verified", "name", "given_name", "family_name",
      "groups", "department"]);
    await grant.save();
    return grant;
  },
});

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function chooser(uid) {
  const rows = config.people
    .map(
      (p) => `<li><button type="submit" name="sub" value="${escape(p.sub)}">${escape(p.name)}</button>
        <span>${escape(p.email)}${p.note ? ` — ${escape(p.note)}` : ""}</span></li>`,
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo identity provider</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
ul{list-style:none;padding:0}li{margin:.75rem 0}button{font:inherit;padding:.5rem 1rem;margin-right:.75rem;
border:2px solid #1d3f91;background:#1d3f91;color:#fff;border-radius:4px;cursor:pointer}
button:focus{outline:3px solid #f59f00;outline-offset:2px}span{color:#444}</style></head>
<body><main><h1>Demo identity provider</h1>
<p>This stands in for an organisation's identity provider on the demo portal. Choose who signs in.</p>
<form method="post" action="/interaction/${escape(uid)}"><ul>${rows}</ul></form></main></body></html>`;
}

async function formBody(req) {
  let raw = "";
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 10_000) break;
  }
  return new URLSearchParams(raw);
}

const callback = provider.callback();

const server = http.createServer(async (req, res) => {
  if (req.url.startsWith("/interaction/")) {
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === "POST") {
        const sub = (await formBody(req)).get("sub");
        if (!people.has(sub)) throw new Error("Choose one of the people listed.");
        await provider.interactionFinished(req, res, { login: { accountId: sub } }, {
          mergeWithLastSubmission: false,
        });
        return;
      }
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(chooser(details.uid));
    } catch (error) {
      res.statusCode = 400;
      res.setHeader("content-type", "text/plain; charset=utf-8");
      res.end(String(error.message || error));
    }
    return;
  }
  callback(req, res);
});

server.listen(config.port, "127.0.0.1", () => {
  process.stdout.write(`demo identity provider at ${config.issuer}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
