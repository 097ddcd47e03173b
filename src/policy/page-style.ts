/**
 * The one stylesheet of the public pages (policy and versions), inline so that each
 * page is a single self-contained response. Colours meet WCAG AA contrast in both
 * light and dark schemes; focus is always visible.
 */
export const pageStyle = `
:root { color-scheme: light dark; --text: #1b1b1f; --muted: #4a4a55; --bg: #ffffff; --panel: #f3f4f7; --line: #c9ccd6; --link: #0a4fb5; --focus: #b54708; }
@media (prefers-color-scheme: dark) {
  :root { --text: #ececf1; --muted: #b9bac6; --bg: #15161a; --panel: #22242b; --line: #5a5d6b; --link: #8cb8ff; --focus: #ffb067; }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font: 1.0625rem/1.65 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.page { max-width: 48rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
header { border-bottom: 1px solid var(--line); margin-bottom: 1.5rem; padding-bottom: 1rem; }
h1 { font-size: clamp(1.75rem, 1.3rem + 2vw, 2.4rem); line-height: 1.2; margin: 0.5rem 0; }
h2 { font-size: 1.35rem; line-height: 1.3; margin: 2.5rem 0 0.75rem; scroll-margin-top: 1rem; }
section { scroll-margin-top: 1rem; }
.meta { color: var(--muted); margin: 0; }
a { color: var(--link); text-underline-offset: 0.15em; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
.skip-link { position: absolute; left: 0.5rem; top: -3rem; padding: 0.5rem 1rem; background: var(--bg); color: var(--link); border: 2px solid var(--focus); z-index: 1; }
.skip-link:focus { top: 0.5rem; }
nav { background: var(--panel); border-radius: 0.5rem; padding: 0.75rem 1.25rem; margin-bottom: 2rem; }
nav ol { margin: 0; padding-left: 1.5rem; }
nav li { margin: 0.2rem 0; }
ul, ol { padding-left: 1.5rem; }
li { margin: 0.35rem 0; }
.table-wrap { overflow-x: auto; margin: 1rem 0 1.5rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.5rem; }
th, td { border: 1px solid var(--line); padding: 0.45rem 0.6rem; text-align: left; vertical-align: top; }
thead th { background: var(--panel); }
tbody th { font-weight: 600; }
.badge { display: inline-block; font-size: 0.8rem; font-weight: 600; padding: 0.05rem 0.5rem; border: 1px solid currentColor; border-radius: 999px; margin-left: 0.4rem; color: var(--focus); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
@media print { nav, .skip-link { display: none; } a { color: inherit; } }
@media (prefers-reduced-motion: no-preference) { html { scroll-behavior: smooth; } }
`;
