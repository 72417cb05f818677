// Browser-safe copy of @log-insights/api's CSRF_HEADER (that package is server code): a test checks the two agree.

/** The header the API asks of requests a browser could send cross-site without a preflight (a GET, a form post). */
export const CSRF_HEADER = "x-log-insights-csrf";
