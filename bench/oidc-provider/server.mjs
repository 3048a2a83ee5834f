// panva's oidc-provider configured like Janua for bench/oauth.py: a client_credentials client
// with client_secret_basic, RS256 JWT access tokens (RFC 9068, via resource indicators),
// introspection, revocation and userinfo enabled, in-memory storage (its default adapter).
//
//   PORT=4200 CLIENT_ID=bench CLIENT_SECRET=... node server.mjs
//
// Prints one JSON line when ready: {"ready": true, "userinfo_token": "..."}. The userinfo
// token is an opaque access token with `openid profile email` for a fixed account: the
// provider accepts only such tokens (issued for its own userinfo endpoint, not for a resource
// server) at userinfo, so this is the closest equivalent of Janua's JWT there.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 4200);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.CLIENT_ID || 'bench';
const clientSecret = process.env.CLIENT_SECRET || 'bench-secret';
const resource = 'https://api.example.com';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };

const account = {
  accountId: 'user-1',
  async claims() {
    return {
      sub: 'user-1',
      name: 'Ada Lovelace',
      locale: 'en-GB',
      zoneinfo: 'Europe/London',
      updated_at: 1795951800,
      email: 'ada@example.com',
      email_verified: true,
    };
  },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials', 'authorization_code'],
    response_types: ['code'],
    redirect_uris: ['https://app.example.com/callback'],
    scope: 'openid profile email orders:read',
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: ['bench-cookie-key-not-secret'] },
  scopes: ['openid', 'profile', 'email', 'orders:read'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'locale', 'zoneinfo', 'updated_at'],
    email: ['email', 'email_verified'],
  },
  findAccount: async (_ctx, sub) => (sub === account.accountId ? account : undefined),
  ttl: { ClientCredentials: 900, AccessToken: 900, Grant: 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'orders:read',
        audience: resource,
        accessTokenTTL: 900,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});

async function userinfoToken() {
  const client = await provider.Client.find(clientId);
  const grant = new provider.Grant({ accountId: account.accountId, clientId });
  grant.addOIDCScope('openid profile email');
  const grantId = await grant.save();
  const token = new provider.AccessToken({
    accountId: account.accountId,
    client,
    grantId,
    scope: 'openid profile email',
    gty: 'authorization_code',
  });
  return token.save();
}

provider.listen(port, '127.0.0.1', async () => {
  console.log(JSON.stringify({ ready: true, userinfo_token: await userinfoToken() }));
});
