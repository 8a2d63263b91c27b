// A real OpenID Connect provider (panva/oidc-provider) on loopback for the SSO browser tests.
// Usage: node provider.mjs PORT REDIRECT_URI ACCOUNTS_JSON
//   ACCOUNTS_JSON: {"login": {"name": "...", "email": "...", "student_no": "..."}, ...}
// Its built-in development login form accepts any password for a listed login.
import Provider from 'oidc-provider';

const [port, redirectUri, accountsJson] = process.argv.slice(2);
const accounts = JSON.parse(accountsJson);
const origin = new URL(redirectUri).origin;

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'portal',
    client_secret: 'portal-test-secret',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [redirectUri, origin + '/'],  // Streamlit returns to redirect_uri
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'student_no', 'employee_no'],
    email: ['email', 'email_verified'],
  },
  conformIdTokenClaims: false, // put the profile claims into the ID token, as campus CAS/OIDC servers do
  pkce: { required: () => false },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    const claimsOf = accounts[id];
    if (!claimsOf) return undefined;
    return { accountId: id, async claims() { return { sub: id, preferred_username: id, ...claimsOf }; } };
  },
});
provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc provider ready on ${port}`));
