import { useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { ROLES, type Session } from '../session';

/**
 * Local sign-in: the dev issuer of `npm start` signs a token for the tenant, role and user picked
 * here. (Deployed, an OIDC issuer signs tokens instead: the code + PKCE flow is not in the console yet.)
 */
export function SignIn(props: { expired: boolean; onSignedIn: (session: Session) => void }) {
  const [tenant, setTenant] = useState('acme-air');
  const [role, setRole] = useState<string>('admin');
  const [sub, setSub] = useState('planner@acme-air');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const response = await fetch('/dev/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant, roles: [role], sub }),
      });
      if (response.status === 404) {
        throw new Error('This server has no local sign-in: it accepts tokens of an outside issuer only.');
      }
      const body = (await response.json()) as { token?: string; detail?: string };
      if (!response.ok || !body.token) throw new Error(body.detail ?? `Sign-in failed (${response.status})`);
      props.onSignedIn({ token: body.token, tenant, roles: [role], sub });
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="sign-in">
      <h1>Sign in to twinthread</h1>
      {props.expired && (
        <p class="banner error" role="alert">
          Your sign-in has expired or was refused: sign in again.
        </p>
      )}
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <p id="sign-in-help">Local mode: pick a tenant, a role and a user; the dev issuer signs a token.</p>
        <label>
          Tenant
          <input
            name="tenant"
            required
            pattern="[a-z0-9][a-z0-9-]*"
            value={tenant}
            onInput={(event) => setTenant(event.currentTarget.value)}
          />
        </label>
        <label>
          Role
          <select name="role" value={role} onChange={(event) => setRole(event.currentTarget.value)}>
            {ROLES.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          User
          <input name="user" required value={sub} onInput={(event) => setSub(event.currentTarget.value)} />
        </label>
        {error && (
          <p class="banner error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
