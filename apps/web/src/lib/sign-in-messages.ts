// Browser-safe: what the sign-in page says for each outcome (the route handlers send a code, never text, in the URL).

export type SignInNotice = { tone: "error" | "info"; text: string };

/**
 * The sign-in page's message for a code in its URL (?error=…), in plain
 * words; null for no code or an unknown one. `minutes` is how long a
 * lock-out still lasts.
 */
export function signInNotice(code: string | null | undefined, minutes?: string | null): SignInNotice | null {
  switch (code) {
    case "BAD_CREDENTIALS":
      return { tone: "error", text: "That email and password do not match an account. Check both and try again." };
    case "LOCKED_OUT": {
      const n = minutes && /^\d{1,4}$/.test(minutes) ? Math.max(1, Number(minutes)) : null;
      return { tone: "error", text: `Too many failed sign-ins for this account. Try again in ${n === null ? "a few minutes" : `${n} minute${n === 1 ? "" : "s"}`}.` };
    }
    case "MISSING":
      return { tone: "error", text: "Enter your email address and your password." };
    case "SSO_NOT_CONFIGURED":
      return { tone: "error", text: "Single sign-on is not set up on this dashboard. Sign in with your email and password." };
    case "SSO_FAILED":
      return { tone: "error", text: "Single sign-on did not complete. Try again; if it keeps failing, ask an admin." };
    case "SSO_NOT_ALLOWED":
      return { tone: "error", text: "Your account at the sign-in provider may not use this dashboard. Ask an admin to let you in." };
    case "LINK_INVALID":
      return { tone: "error", text: "This sign-in link was already used or has expired. Ask an admin for a new one." };
    case "UNAVAILABLE":
      return { tone: "error", text: "Signing in is not possible right now. Try again in a moment; if it goes on, tell an admin." };
    case "SIGNED_OUT":
      return { tone: "info", text: "You are signed out." };
    case "EXPIRED":
      return { tone: "info", text: "Your session ended. Sign in again to carry on." };
    default:
      return null;
  }
}
