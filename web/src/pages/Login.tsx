import { useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { useSession } from '../session';

export default function Login() {
  const { signIn, notice } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(username, password);
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) {
        const s = err.retryAfterSeconds;
        const wait = s ? ` Try again in ${s < 120 ? `${s} s` : `${Math.ceil(s / 60)} min`}.` : '';
        setError(`${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.${wait}`);
      } else if (err instanceof ApiError && err.status === 401) setError('Wrong user name or password.');
      else if (err instanceof ApiError && err.status === 400) setError('Enter a user name and a password.');
      else setError(err instanceof Error ? err.message : String(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <div className="brand brand-big">
          <span className="brand-mark" aria-hidden="true">
            V
          </span>{' '}
          Vigil
        </div>
        <h1 id="login-title">Sign in</h1>
        {notice && !error && <p className="notice">{notice}</p>}
        <label>
          User name
          <input
            name="username"
            autoComplete="username"
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            maxLength={64}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            maxLength={1024}
          />
        </label>
        {error && (
          <p className="form-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
