import type { Actor, AuditService } from "../db/repos/audit";
import type { UsersRepo } from "../db/repos/users";
import { passwordProblem } from "../domain/password";
import { HttpError } from "../lib/http";
import type { Auth, UserRole } from "./auth";

/** User accounts and API keys, on top of better-auth, with every change audited. */
export class AccountsService {
  constructor(
    private readonly auth: Auth,
    private readonly users: UsersRepo,
    private readonly audit: AuditService,
  ) {}

  async createUser(input: { name: string; email: string; password: string; role: UserRole }, actor?: Actor) {
    checkPassword(input.password, [input.name, input.email]);
    const { user } = await this.auth.api.createUser({
      body: { name: input.name, email: input.email.toLowerCase(), password: input.password, role: input.role },
    });
    await this.audit.record(actor ?? { id: null, label: "setup" }, "create", "user", user.id, null, {
      email: user.email,
      name: user.name,
      role: input.role,
    });
    return user;
  }

  /** Creates the first admin from the environment when no user exists; returns whether it did. */
  async bootstrapAdmin(email: string | undefined, password: string | undefined): Promise<boolean> {
    if (!email || !password || (await this.users.count()) > 0) return false;
    await this.createUser({ name: "Administrator", email, password, role: "admin" }, { id: null, label: "bootstrap" });
    return true;
  }

  /** A new API key for a user (kiosks, integrations); the plain key is only returned here. */
  async createApiKey(userId: string, name: string, actor?: Actor): Promise<{ id: string; key: string }> {
    const api = this.auth.api as unknown as {
      createApiKey(a: { body: { userId: string; name: string } }): Promise<{ id: string; key: string }>;
    };
    const k = await api.createApiKey({ body: { userId, name } });
    await this.audit.record(actor ?? { id: null, label: "system" }, "create", "api_key", k.id, null, { userId, name });
    return { id: k.id, key: k.key };
  }

  private async target(userId: string) {
    const u = await this.users.get(userId);
    if (!u) throw new HttpError(404, "No such user");
    return u;
  }

  /** Changes a user's role; the last active admin cannot demote themselves. */
  async setRole(userId: string, role: UserRole, actor: Actor) {
    const u = await this.target(userId);
    if (u.role === "admin" && role !== "admin" && (await this.users.otherActiveAdmins(userId)) === 0)
      throw new HttpError(422, "This is the last active admin; make someone else admin first", { fields: { role: "Keep at least one admin" } });
    if (u.role === role) return;
    await this.users.setRole(userId, role);
    // Sessions carry no role, but a changed role is a changed account: sign in again. API keys act
    // with the user's current role on their next request.
    await this.users.revokeSessions(userId);
    await this.audit.record(actor, "set_role", "user", userId, { role: u.role }, { role });
  }

  async setDisabled(userId: string, disabled: boolean, actor: Actor) {
    const u = await this.target(userId);
    if (disabled && userId === actor.id) throw new HttpError(422, "You cannot disable your own account");
    if (disabled && u.role === "admin" && (await this.users.otherActiveAdmins(userId)) === 0) throw new HttpError(422, "This is the last active admin");
    await this.users.setBanned(userId, disabled);
    await this.audit.record(actor, disabled ? "disable" : "enable", "user", userId, { banned: !!u.banned }, { banned: disabled });
  }

  /** Sets a new password for a user (an admin's reset) and ends all their sessions. */
  async resetPassword(userId: string, password: string, actor: Actor) {
    const u = await this.target(userId);
    checkPassword(password, [u.name, u.email]);
    const ctx = await this.auth.$context;
    await ctx.internalAdapter.updatePassword(userId, await ctx.password.hash(password));
    const ended = await this.users.revokeSessions(userId);
    await this.audit.record(actor, "reset_password", "user", userId, null, { sessionsEnded: ended });
  }

  async revokeApiKey(id: string, actor: Actor) {
    const k = await this.users.deleteApiKey(id);
    if (!k) throw new HttpError(404, "No such API key");
    await this.audit.record(actor, "revoke", "api_key", id, k, null);
  }
}

/** Refuses a password that breaks the policy (src/domain/password.ts) with a 422 naming the reason. */
function checkPassword(password: string, userInputs: string[]): void {
  const why = passwordProblem(password, userInputs);
  if (why) throw new HttpError(422, why, { fields: { password: why } });
}
