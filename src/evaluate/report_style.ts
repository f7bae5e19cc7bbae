/**
 * The style sheet of the HTML report, inlined in its <style> element. The browser page
 * shows the report in a frame under the page's Content-Security-Policy, which allows
 * this exact text by its SHA-256 hash (web/csp.ts), so a change here changes the policy.
 */
export const REPORT_STYLE = `
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1400px; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; }
figure.plot { margin: 0; padding: 0.5em; border: 1px solid #eee; width: fit-content; }
figcaption { font-size: 0.9em; margin-bottom: 0.3em; }
code { background: #f4f4f4; padding: 0 0.2em; }
`;
