// @log-insights/auth: who may see what. Roles, accounts, password and
// single sign-on, server-side sessions, API tokens, sign-in throttling,
// one-time sign-in links and the audit log. Used by the API (every request
// is authenticated here), the dashboard's sign-in pages and the command line.
export * from "./roles";
export * from "./errors";
export * from "./principal";
export * from "./policy";
export * from "./secrets";
export * from "./instance-key";
export * from "./passwords";
export * from "./users";
export * from "./sessions";
export * from "./tokens";
export * from "./throttle";
export * from "./password-sign-in";
export * from "./sign-in-links";
export * from "./authenticate";
export * from "./audit";
export * from "./erased-users";
export * from "./erase-investor";
export * from "./oidc";
export * from "./http";
