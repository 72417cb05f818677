import type { ReactNode } from "react";

/** The frame of the pages seen before (or instead of) the dashboard: sign-in, a sign-in link, a page the role may not open. */
export function AuthCard({ title, children, wide = false }: { title: string; children: ReactNode; wide?: boolean }): ReactNode {
  return (
    <main className="signin-wrap">
      <div className={`card signin${wide ? " wide" : ""}`}>
        <div className="signin-brand">log-insights<small>Deal bot analytics</small></div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
