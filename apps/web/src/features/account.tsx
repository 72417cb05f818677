"use client";

import { useSearchParams } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { useMutation } from "urql";
import { ROLE_DESCRIPTIONS } from "@log-insights/auth/roles";
import { errorText } from "../lib/graphql";
import { useMe } from "../lib/me";
import { CHANGE_PASSWORD } from "../lib/queries";
import { ROLE_LABELS } from "./users";

/** The API's rule (packages/auth passwords.ts), said before the form is sent. */
export const PASSWORD_MIN = 12;

const METHOD_WORDS: Record<string, string> = { password: "your password", sso: "single sign-on", link: "a one-time sign-in link" };

/** Checks the form before it goes to the API: the same length rule, and the two new passwords equal. */
export function passwordProblem(next: string, repeat: string): string | null {
  if (next.length < PASSWORD_MIN) return `A password needs at least ${PASSWORD_MIN} characters.`;
  if (next.length > 256) return "A password has at most 256 characters.";
  if (next !== repeat) return "The two new passwords are not the same.";
  return null;
}

/** Everyone signed in: who they are, what their role sees, and setting or changing their password. */
export function AccountPage(): ReactNode {
  const me = useMe();
  const params = useSearchParams();
  const firstTime = params.get("set") === "1";
  const [, change] = useMutation(CHANGE_PASSWORD);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [message, setMessage] = useState<{ tone: "error" | "info"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  if (!me) return null;

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const problem = passwordProblem(next, repeat);
    if (problem) {
      setMessage({ tone: "error", text: problem });
      return;
    }
    setBusy(true);
    setMessage(null);
    const r = await change({ currentPassword: current || null, newPassword: next });
    setBusy(false);
    if (r.error) {
      const code = r.error.graphQLErrors[0]?.extensions?.code;
      setMessage({ tone: "error", text: code === "BAD_CREDENTIALS" ? "Your current password is not right." : errorText(r.error) });
      return;
    }
    setCurrent("");
    setNext("");
    setRepeat("");
    setMessage({ tone: "info", text: "Your password is saved. You stay signed in here; your other sessions were signed out." });
  };

  return (
    <>
      <h1>Your account</h1>
      <p className="subtitle">Signed in as <strong data-testid="account-email">{me.name}</strong>{me.signInMethod ? ` with ${METHOD_WORDS[me.signInMethod] ?? me.signInMethod}` : ""}.</p>
      <div className="card" style={{ marginBottom: 16 }}>
        <h2>Your role: {ROLE_LABELS[me.role]}</h2>
        <p className="reason">You see {ROLE_DESCRIPTIONS[me.role]}. An admin can change it.</p>
      </div>
      <form className="card password-form" onSubmit={(e) => void submit(e)} aria-label={firstTime ? "Set your password" : "Change your password"}>
        <h2>{firstTime ? "Set a password" : "Password"}</h2>
        <p className="reason">
          {firstTime
            ? "You signed in with a one-time link. Set a password to sign in with your email from now on."
            : me.signInMethod === "sso" ? "You sign in with single sign-on, so you need no password; you can set one to sign in without it."
              : `At least ${PASSWORD_MIN} characters. A long phrase is easier to remember than a short jumble.`}
        </p>
        {!firstTime && (
          <label>Current password
            <input type="password" autoComplete="current-password" value={current} maxLength={256} onChange={(e) => setCurrent(e.target.value)} />
            <span className="reason">Leave empty if you never had one.</span>
          </label>
        )}
        <label>New password
          <input type="password" autoComplete="new-password" required maxLength={256} value={next} onChange={(e) => setNext(e.target.value)} />
        </label>
        <label>New password again
          <input type="password" autoComplete="new-password" required maxLength={256} value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        </label>
        {message && <p className={`notice ${message.tone}`} role={message.tone === "error" ? "alert" : "status"} data-testid="account-message">{message.text}</p>}
        <button type="submit" className="primary" disabled={busy}>Save password</button>
      </form>
    </>
  );
}
