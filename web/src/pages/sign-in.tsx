import { useState } from 'preact/hooks';
import { TENANT_PATTERN_SOURCE } from '../../../shared/domain/tenant';
import { errorMessage } from '../api';
import { type ConsoleConfig, startSignIn } from '../oidc';
import { ROLES, type Session } from '../session';

/**
 * Sign-in: with the configured OIDC issuer (authorization code + PKCE), or locally with the dev
 * issuer of `npm start`, which signs a token for the tenant, role and user picked here.
 */
export function SignIn(props: {
  config: ConsoleConfig;
  expired: boolean;
  onSignedIn: (session: Session) => void;
}) {
  if (props.config.signIn === 'oidc') return <OidcSignIn config={props.config} expired={props.expired} />;
  return <DevSignIn expired={props.expired} onSignedIn={props.onSignedIn} />;
}

function OidcSignIn(props: { config: Extract<ConsoleConfig, { signIn: 'oidc' }>; expired: boolean }) {
  const [error, setError] = useState<string>();
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to twinthread</h1>
      {props.expired && (
        <p class="banner error" role="alert">
          Your sign-in has expired or was refused: sign in again.
        </p>
      )}
      <p>You sign in with your organization's account ({new URL(props.config.issuer).host}).</p>
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      <button
        type="button"
        class="primary"
        onClick={() => startSignIn(props.config).catch((caught) => setError(errorMessage(caught)))}
      >
        Sign in with your organization
      </button>
    </main>
  );
}

function DevSignIn(props: { expired: boolean; onSignedIn: (session: Session) => void }) {
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
            pattern={TENANT_PATTERN_SOURCE}
            title="Letters, digits, “.”, “_” or “-”, starting with a letter or digit (at most 64)"
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
