"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import { useMutation } from "urql";
import { ROLES, type Role } from "@log-insights/auth/roles";
import { CopyField } from "../components/CopyField";
import { formatAgo, formatDateTime } from "../lib/format";
import { errorText, useGql } from "../lib/graphql";
import { API_TOKENS, CREATE_API_TOKEN, REVOKE_API_TOKEN } from "../lib/queries";
import { useView } from "../lib/view";
import { ROLE_LABELS } from "./users";

interface TokenRow {
  id: string; name: string; role: string; prefix: string; createdBy: string; createdAt: string;
  expiresAt: string | null; lastUsedAt: string | null; revokedAt: string | null;
}

/** Lifetimes offered when creating a token (the API takes 12h, 30d, 6w, 1y). */
export const EXPIRY_CHOICES = [
  { value: "30d", label: "30 days" },
  { value: "90d", label: "90 days" },
  { value: "1y", label: "1 year" },
  { value: "", label: "Never" },
] as const;

/** Admins: API tokens for scripts, BI tools and Prometheus; the value is shown once, at creation. */
export function TokensPage(): ReactNode {
  const view = useView();
  const [showRevoked, setShowRevoked] = useState(false);
  const tokens = useGql<{ apiTokens: TokenRow[] }>(API_TOKENS, { includeRevoked: showRevoked });
  const [, create] = useMutation(CREATE_API_TOKEN);
  const [, revoke] = useMutation(REVOKE_API_TOKEN);
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [expiresIn, setExpiresIn] = useState<string>("90d");
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [message, setMessage] = useState<{ tone: "error" | "info"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [revoking, setRevoking] = useState<string | null>(null);
  const now = Date.now();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    const r = await create({ name: name.trim(), role: role.toUpperCase(), expiresIn: expiresIn || null });
    setBusy(false);
    if (r.error || !r.data) {
      setMessage({ tone: "error", text: r.error ? errorText(r.error) : "The token could not be created." });
      return;
    }
    setCreated({ name: r.data.createApiToken.apiToken.name, token: r.data.createApiToken.token });
    setName("");
    tokens.retry();
  };

  const doRevoke = async (tokenName: string): Promise<void> => {
    setBusy(true);
    setMessage(null);
    const r = await revoke({ name: tokenName });
    setBusy(false);
    setRevoking(null);
    setMessage(r.error ? { tone: "error", text: errorText(r.error) } : { tone: "info", text: `“${tokenName}” was revoked: it no longer works.` });
    tokens.retry();
  };

  const list = tokens.data?.apiTokens ?? [];
  return (
    <>
      <h1>API tokens</h1>
      <p className="subtitle">
        Keys for scripts, spreadsheets and monitoring (Prometheus) to read the API without signing in. Each token has a role, like a person,
        and is sent as <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      <form className="card add-form" onSubmit={(e) => void submit(e)} aria-label="Create a token">
        <h2>Create a token</h2>
        <p className="reason">Name it after what uses it, so you know what breaks when you revoke it.</p>
        <div className="form-row">
          <label>Name
            <input type="text" required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. prometheus" />
          </label>
          <label>Role
            <select aria-label="Role of the token" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
            </select>
          </label>
          <label>Expires after
            <select aria-label="Expires after" value={expiresIn} onChange={(e) => setExpiresIn(e.target.value)}>
              {EXPIRY_CHOICES.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
            </select>
          </label>
          <button type="submit" className="primary" disabled={busy}>Create token</button>
        </div>
      </form>
      {message && <p className={`notice ${message.tone}`} role={message.tone === "error" ? "alert" : "status"} data-testid="tokens-message">{message.text}</p>}
      {created && (
        <div className="card note once" role="status" data-testid="new-token">
          <h2>The token “{created.name}”</h2>
          <p>Copy it now and keep it somewhere safe: it is stored only as a hash, so it cannot be shown again. Lost? Revoke it and create another.</p>
          <CopyField value={created.token} label="API token" testId="new-token-value" />
          <button type="button" onClick={() => setCreated(null)}>Done</button>
        </div>
      )}
      <section className="card" aria-labelledby="h-tokens" style={{ marginTop: 16 }}>
        <div className="chart-head">
          <div><h2 id="h-tokens">Tokens</h2><p>Newest first. “Last used” is to the minute.</p></div>
          <div className="chart-actions">
            <label className="reason"><input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} /> Show revoked</label>
          </div>
        </div>
        {tokens.error ? (
          <div className="state" role="alert"><span className="error-text">Could not load the tokens: {tokens.error}</span><button type="button" onClick={tokens.retry}>Try again</button></div>
        ) : !tokens.data ? (
          <div className="skeleton" style={{ height: 160 }} aria-busy="true" aria-label="Loading tokens" />
        ) : list.length === 0 ? (
          <div className="state"><strong>No tokens</strong><span>Create one above when a script or tool needs to read the API.</span></div>
        ) : (
          <table>
            <thead><tr><th>Name</th><th>Starts with</th><th>Role</th><th>Created</th><th>Last used</th><th>Expires</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{list.map((t) => {
              const expired = t.expiresAt !== null && Date.parse(t.expiresAt) <= now;
              return (
                <tr key={t.id} data-testid="token-row">
                  <td><strong>{t.name}</strong></td>
                  <td><code>{t.prefix}…</code></td>
                  <td>{ROLE_LABELS[t.role.toLowerCase() as Role] ?? t.role}</td>
                  <td>{formatDateTime(Date.parse(t.createdAt), view.timeZone)}<div className="reason">by {t.createdBy}</div></td>
                  <td>{t.lastUsedAt ? formatAgo(Date.parse(t.lastUsedAt), now) : "Never"}</td>
                  <td>{t.expiresAt ? <>{formatDateTime(Date.parse(t.expiresAt), view.timeZone)}{expired && <div className="reason bad">Expired</div>}</> : "Never"}</td>
                  <td className="row-actions">
                    {t.revokedAt ? <span className="badge state-resolved">Revoked {formatDateTime(Date.parse(t.revokedAt), view.timeZone)}</span>
                      : revoking === t.name ? (
                        <span className="confirm">
                          Revoke “{t.name}”? What uses it stops working.{" "}
                          <button type="button" className="danger" disabled={busy} onClick={() => void doRevoke(t.name)}>Yes, revoke</button>{" "}
                          <button type="button" onClick={() => setRevoking(null)}>Cancel</button>
                        </span>
                      ) : <button type="button" disabled={busy} onClick={() => setRevoking(t.name)}>Revoke</button>}
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
