import { PASSWORD_MIN } from "../../src/domain/password";

export function LoginForm({ email = "", error, next = "/" }: { email?: string; error?: string; next?: string }) {
  return (
    <section class="panel narrow" id="login">
      <h1>Sign in</h1>
      {error && (
        <p class="flash bad" role="alert">
          {error}
        </p>
      )}
      <form method="post" action={`/login?next=${encodeURIComponent(next)}`}>
        <label for="email">E-mail</label>
        <input id="email" name="email" type="email" autocomplete="username" required value={email} style="width:100%" />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required style="width:100%" />
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
    </section>
  );
}

export function SetupForm({ values = {}, errors = {} }: { values?: Record<string, string>; errors?: Record<string, string> }) {
  return (
    <section class="panel narrow" id="setup">
      <h1>Set up Clockface</h1>
      <p class="muted">No user exists yet. Create the first administrator; this page disappears afterwards.</p>
      {errors._ && (
        <p class="flash bad" role="alert">
          {errors._}
        </p>
      )}
      <form method="post" action="/setup">
        <label for="name">Your name</label>
        <input id="name" name="name" required value={values.name ?? ""} style="width:100%" />
        {errors.name && <div class="field-error">{errors.name}</div>}
        <label for="email">E-mail</label>
        <input id="email" name="email" type="email" required value={values.email ?? ""} style="width:100%" />
        {errors.email && <div class="field-error">{errors.email}</div>}
        <PasswordField id="password" label={`Password (${PASSWORD_MIN} characters or more)`} autocomplete="new-password" error={errors.password} />
        <p>
          <button type="submit">Create administrator</button>
        </p>
      </form>
    </section>
  );
}

export function ChangePasswordForm({ errors = {}, done }: { errors?: Record<string, string>; done?: boolean }) {
  return (
    <section class="panel narrow" id="change-password">
      <h1>Change your password</h1>
      {done ? (
        <p class="flash" role="status">
          Password changed. Your other sessions were signed out.
        </p>
      ) : (
        <p class="muted">Your other sessions are signed out; this one stays signed in.</p>
      )}
      <form method="post" action="/account/password">
        <PasswordField id="current" label="Current password" autocomplete="current-password" error={errors.current} />
        <PasswordField id="password" label={`New password (${PASSWORD_MIN} characters or more; a phrase of several unrelated words is best)`} autocomplete="new-password" error={errors.password} />
        <p>
          <button type="submit">Change password</button>
        </p>
      </form>
    </section>
  );
}

/** A labelled password input with its error; a new password must have PASSWORD_MIN characters or more. */
function PasswordField({ id, label, autocomplete, error }: { id: string; label: string; autocomplete: "new-password" | "current-password"; error?: string }) {
  return (
    <>
      <label for={id}>{label}</label>
      <input id={id} name={id} type="password" autocomplete={autocomplete} required minlength={autocomplete === "new-password" ? PASSWORD_MIN : undefined} style="width:100%" />
      {error && <div class="field-error">{error}</div>}
    </>
  );
}
