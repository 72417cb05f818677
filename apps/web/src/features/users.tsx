"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import { useMutation } from "urql";
import { ROLE_DESCRIPTIONS, ROLES, type Role } from "@log-insights/auth/roles";
import { CopyField } from "../components/CopyField";
import { formatAgo, formatDateTime } from "../lib/format";
import { errorText, useGql } from "../lib/graphql";
import { useMe } from "../lib/me";
import { ADD_USER, CREATE_SIGN_IN_LINK, REMOVE_USER, SET_USER_ROLE, USERS } from "../lib/queries";
import { useView } from "../lib/view";

interface UserRow {
  id: string; email: string; role: string; displayName: string | null; hasPassword: boolean; sso: boolean;
  createdAt: string; createdBy: string | null; lastSignInAt: string | null;
}

interface NewLink { email: string; url: string; expiresAt: string; added: boolean }

export const ROLE_LABELS: Record<Role, string> = { viewer: "Viewer", support: "Support", admin: "Admin" };

/** How someone signs in, in words. */
export function signInWords(u: Pick<UserRow, "sso" | "hasPassword">): string {
  if (u.sso && u.hasPassword) return "Single sign-on or password";
  if (u.sso) return "Single sign-on";
  if (u.hasPassword) return "Password";
  return "No password yet (sign-in link)";
}

function RoleSelect({ value, onChange, label, disabled }: { value: Role; onChange(r: Role): void; label: string; disabled?: boolean }): ReactNode {
  return (
    <select aria-label={label} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as Role)}>
      {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
    </select>
  );
}

function LinkCard({ link, timeZone, onClose }: { link: NewLink; timeZone: string; onClose(): void }): ReactNode {
  return (
    <div className="card note once" role="status" data-testid="new-sign-in-link">
      <h2>{link.added ? `${link.email} was added` : `A new sign-in link for ${link.email}`}</h2>
      <p>
        Send this link to {link.email} in a private message. It signs them in once, until {formatDateTime(Date.parse(link.expiresAt), timeZone)};
        they can then set a password on their account page. It is shown only now.
      </p>
      <CopyField value={link.url} label="Sign-in link" testId="sign-in-link-url" />
      <button type="button" onClick={onClose}>Done</button>
    </div>
  );
}

/** Admins: who can sign in and with which role; add people, change roles, send sign-in links, remove people. */
export function UsersPage(): ReactNode {
  const view = useView();
  const me = useMe();
  const users = useGql<{ users: UserRow[] }>(USERS, {});
  const [, addUser] = useMutation(ADD_USER);
  const [, newLink] = useMutation(CREATE_SIGN_IN_LINK);
  const [, setRole] = useMutation(SET_USER_ROLE);
  const [, removeUser] = useMutation(REMOVE_USER);
  const [email, setEmail] = useState("");
  const [role, setNewRole] = useState<Role>("viewer");
  const [link, setLink] = useState<NewLink | null>(null);
  const [message, setMessage] = useState<{ tone: "error" | "info"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const now = Date.now();

  const run = async (work: () => Promise<{ error?: Parameters<typeof errorText>[0] | undefined }>, done: string | null): Promise<boolean> => {
    setBusy(true);
    setMessage(null);
    const result = await work();
    setBusy(false);
    if (result.error) {
      setMessage({ tone: "error", text: errorText(result.error) });
      return false;
    }
    if (done) setMessage({ tone: "info", text: done });
    users.retry();
    return true;
  };

  const add = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const target = email.trim();
    if (!target) return;
    const made: { link: NewLink | null } = { link: null };
    const ok = await run(async () => {
      const r = await addUser({ email: target, role: role.toUpperCase() });
      if (r.data?.addUser) made.link = { email: r.data.addUser.user.email, url: r.data.addUser.url, expiresAt: r.data.addUser.expiresAt, added: true };
      return r;
    }, null);
    if (ok && made.link) {
      setLink(made.link);
      setEmail("");
    }
  };

  const list = users.data?.users ?? [];
  return (
    <>
      <h1>People</h1>
      <p className="subtitle">Who can sign in to the dashboard, and what each person may see. Changing someone&apos;s role or removing them signs them out at once.</p>
      <div className="card" style={{ marginBottom: 16 }}>
        <h2>Roles</h2>
        <ul className="roles">
          {ROLES.map((r) => <li key={r}><strong>{ROLE_LABELS[r]}</strong>: {ROLE_DESCRIPTIONS[r]}.</li>)}
        </ul>
      </div>
      <form className="card add-form" onSubmit={(e) => void add(e)} aria-label="Add a person">
        <h2>Add a person</h2>
        <p className="reason">They get a one-time sign-in link to send them; with single sign-on they can also just sign in with it.</p>
        <div className="form-row">
          <label>Email address
            <input type="email" required maxLength={320} value={email} onChange={(e) => setEmail(e.target.value)} placeholder="name@example.com" />
          </label>
          <label>Role
            <RoleSelect value={role} onChange={setNewRole} label="Role of the new person" />
          </label>
          <button type="submit" className="primary" disabled={busy}>Add person</button>
        </div>
      </form>
      {message && <p className={`notice ${message.tone}`} role={message.tone === "error" ? "alert" : "status"} data-testid="users-message">{message.text}</p>}
      {link && <LinkCard link={link} timeZone={view.timeZone} onClose={() => setLink(null)} />}
      <section className="card" aria-labelledby="h-people" style={{ marginTop: 16 }}>
        <div className="chart-head"><div><h2 id="h-people">Everyone who can sign in</h2><p>{list.length > 0 ? `${list.length} ${list.length === 1 ? "person" : "people"}, by email.` : " "}</p></div></div>
        {users.error ? (
          <div className="state" role="alert"><span className="error-text">Could not load the people: {users.error}</span><button type="button" onClick={users.retry}>Try again</button></div>
        ) : !users.data ? (
          <div className="skeleton" style={{ height: 160 }} aria-busy="true" aria-label="Loading people" />
        ) : list.length === 0 ? (
          <div className="state"><strong>Nobody yet</strong><span>Add the first person above.</span></div>
        ) : (
          <table>
            <thead><tr><th>Person</th><th>Role</th><th>Signs in with</th><th>Last sign-in</th><th>Added</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{list.map((u) => {
              const r = u.role.toLowerCase() as Role;
              const self = me?.name === u.email;
              return (
                <tr key={u.id} data-testid="user-row">
                  <td><strong>{u.email}</strong>{u.displayName && <div className="reason">{u.displayName}</div>}{self && <div className="reason">That is you</div>}</td>
                  <td>
                    <RoleSelect value={r} label={`Role of ${u.email}`} disabled={busy}
                      onChange={(next) => void run(() => setRole({ email: u.email, role: next.toUpperCase() }), `${u.email} is now ${ROLE_LABELS[next].toLowerCase()}; their sessions ended, so they sign in again.`)} />
                  </td>
                  <td>{signInWords(u)}</td>
                  <td>{u.lastSignInAt ? <span title={formatDateTime(Date.parse(u.lastSignInAt), view.timeZone)}>{formatAgo(Date.parse(u.lastSignInAt), now)}</span> : "Never"}</td>
                  <td>{formatDateTime(Date.parse(u.createdAt), view.timeZone)}{u.createdBy && <div className="reason">by {u.createdBy}</div>}</td>
                  <td className="row-actions">
                    <button type="button" disabled={busy} onClick={() => void run(async () => {
                      const res = await newLink({ email: u.email });
                      if (res.data?.createSignInLink) setLink({ email: u.email, url: res.data.createSignInLink.url, expiresAt: res.data.createSignInLink.expiresAt, added: false });
                      return res;
                    }, null)}>New sign-in link</button>
                    {removing === u.email ? (
                      <span className="confirm">
                        Remove {u.email}?{" "}
                        <button type="button" className="danger" disabled={busy} onClick={() => void run(() => removeUser({ email: u.email }), `${u.email} was removed and signed out.`).then(() => setRemoving(null))}>Yes, remove</button>{" "}
                        <button type="button" onClick={() => setRemoving(null)}>Cancel</button>
                      </span>
                    ) : (
                      <button type="button" disabled={busy} onClick={() => setRemoving(u.email)}>Remove</button>
                    )}
                  </td>
                </tr>
              );
            })}</tbody>
          </table>
        )}
      </section>
    </>
  );
}
