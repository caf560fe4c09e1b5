// An OpenID Connect provider for QALF's tests: panva's oidc-provider (an
// OpenID-certified implementation), started by the test suite the way a
// council's identity provider would be configured for QALF: one client,
// authorization code with PKCE, the `email` claim.
//
//   node oidc-provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// Anyone may sign in with any password at its login page; the login is the
// account id, and the account's work e-mail is the login when it holds an
// `@`, else `<login>@council.example`.
// A few logins make the provider misbehave the ways QALF must refuse:
//   unverified.*  an e-mail the provider has not verified
//   late.*        an ID token that has already expired
//   elsewhere.*   an ID token issued to another application (wrong audience)
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!redirectUri) {
  console.error('usage: node oidc-provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

const configuration = {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    {
      client_id: 'another-application',
      client_secret: 'another-application-secret',
      redirect_uris: ['http://127.0.0.1/another-application'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const login = id.replace(/^(unverified|late|elsewhere)\./, '');
        return {
          sub: id,
          email: login.includes('@') ? login : `${login}@council.example`,
          email_verified: !id.startsWith('unverified.'),
          name: id,
        };
      },
    };
  },
  // QALF is the council's own application: no consent screen.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['qalf-test-provider-cookie-key'] },
};

const provider = new Provider(issuer, configuration);

// The two misbehaviours, through the provider's own ID token class.
const issue = provider.IdToken.prototype.issue;
provider.IdToken.prototype.issue = async function issueForTests(options = {}) {
  const sub = this.available?.sub ?? '';
  if (options.use === 'idtoken' && sub.startsWith('late.')) {
    return issue.call(this, { ...options, expiresAt: Math.floor(Date.now() / 1000) - 600 });
  }
  if (options.use === 'idtoken' && sub.startsWith('elsewhere.')) {
    this.client = await provider.Client.find('another-application');
  }
  return issue.call(this, options);
};

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc-provider ready at ${issuer}`);
});
