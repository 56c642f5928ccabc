// A real OpenID provider for the tests: the certified `oidc-provider` package (package.json),
// run with the machine's Node.js by tests/auth/oidc.py.
//
//   node tests/auth/oidc_provider.mjs setup.json
//
// setup.json: {"clients": [...oidc-provider client metadata...],
//              "accounts": {"<login>": {...claims, e.g. the HSA attributes...}},
//              "id_token_ttl": seconds}
// It listens on a free port of 127.0.0.1 and prints one line, `READY <issuer>`, once it
// answers. Its login page is oidc-provider's development page: any login name (an account
// of setup.json) with any password; consent is granted without asking, as an IdP of a care
// provider does for a registered service.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const setup = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const HSA_CLAIMS = [...new Set(Object.values(setup.accounts).flatMap(Object.keys))]
  .filter((name) => !['sub', 'name', 'given_name', 'family_name'].includes(name));

function configuration() {
  return {
    clients: setup.clients,
    cookies: { keys: ['test-only-cookie-key'] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'hsa'],
    claims: { openid: ['sub'], profile: ['name', 'given_name', 'family_name'], hsa: HSA_CLAIMS },
    ttl: { IdToken: setup.id_token_ttl || 3600 },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // The default page pulls a web font; this one is plain (the tests run offline).
        async logoutSource(ctx, form) {
          ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
            <title>Logout Request</title></head><body><h1>Sign out?</h1>${form}
            <button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
            </body></html>`;
        },
      },
    },
    async findAccount(ctx, id) {
      const claims = setup.accounts[id];
      if (!claims) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...claims }; } };
    },
    // Grant what the client asks for: the test users never see a consent page.
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc;
      const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId,
                                                  accountId: session.accountId });
      grant.addOIDCScope('openid profile hsa');
      await grant.save();
      return grant;
    },
  };
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration());
  server.on('request', provider.callback());
  process.stdout.write(`READY ${issuer}\n`);
});
// The test ends the provider by closing its standard input (or by a signal).
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
