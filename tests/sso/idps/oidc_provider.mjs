// A real OpenID Connect provider for the tests: npm `oidc-provider` on a loopback port,
// configured from the JSON file named by the first argument:
//   { "port": 41234, "issuer": "http://127.0.0.1:41234",
//     "jwks": {"keys": [<private JWKs, the first signs>]},
//     "clients": [<oidc-provider client metadata>],
//     "account_file": "<path of a JSON file {"sub": "...", "claims": {...}}>",
//     "routes": {<optional oidc-provider route overrides>},
//     "accept_query_access_tokens": false }
// The account file is read at every sign-in, so a test changes what the provider asserts
// by rewriting it. Sign-in needs no UI: the interaction route signs in that account and
// grants what the client asked for. PKCE (S256) is required of every client. The signing
// key is rotated by restarting the process with other `jwks`.
import { readFileSync } from "node:fs";
import http from "node:http";

import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));

function account() {
  return JSON.parse(readFileSync(config.account_file, "utf8"));
}

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: config.jwks,
  routes: config.routes || {},
  cookies: { keys: ["lectern-tests-cookie-key"] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "given_name", "family_name", "preferred_username"],
    groups: ["groups"],
    employee: ["employee_number", "department"],
    // GitLab's scope and the user fields its API answers, for the plain OAuth 2 tests.
    read_user: ["id", "username", "name", "email"],
  },
  scopes: ["openid", "email", "profile", "groups", "employee", "read_user", "offline_access"],
  // social-core's GitLab backend sends the access token as a query parameter.
  acceptQueryParamAccessTokens: Boolean(config.accept_query_access_tokens),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    const current = account();
    if (id !== current.sub) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...current.claims };
      },
    };
  },
  // No consent screen: the configured clients are first-party.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope || "openid");
    grant.addOIDCClaims(["sub", "email", "email_verified", "name", "given_name",
      "family_name", "groups", "employee_number", "department", "preferred_username", "id",
      "username"]);
    await grant.save();
    return grant;
  },
});

const callback = provider.callback();

const server = http.createServer(async (req, res) => {
  if (req.url.startsWith("/interaction/")) {
    try {
      await provider.interactionDetails(req, res);
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: account().sub } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      res.statusCode = 400;
      res.end(String(error));
    }
    return;
  }
  callback(req, res);
});

server.listen(config.port, "127.0.0.1", () => {
  process.stdout.write(`listening ${config.issuer}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
