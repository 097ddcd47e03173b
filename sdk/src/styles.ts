/**
 * The SDK's styles, injected once. A constructed style sheet where the browser has them:
 * a site's Content-Security-Policy does not need 'unsafe-inline' for it. Light or dark as
 * the visitor's `prefers-color-scheme` says; a site themes it with the custom properties
 * `--vow-bg`, `--vow-text`, `--vow-accent`, `--vow-accent-text`, `--vow-border`,
 * `--vow-focus`, `--vow-radius` and `--vow-font`, set on `:root` or any ancestor (they
 * then hold in both schemes).
 */
const CSS = `
.vow-root,.vow-ask,.vow-asks,.vow-settings-link,.vow-purposes{--_bg:#fff;--_text:#1b1b1b;--_accent:#1d3f8f;--_accent-text:#fff;--_border:#767676;--_line:#c4c4c4;--_focus:#c77700;--_note:#e7f3e9;--_note-line:#2e7d32;--_fixed:#2e5e31}
@media (prefers-color-scheme:dark){.vow-root,.vow-ask,.vow-asks,.vow-settings-link,.vow-purposes{--_bg:#1e1f22;--_text:#ececec;--_accent:#9dbcff;--_accent-text:#0b1530;--_border:#9a9a9a;--_line:#5a5a5a;--_focus:#ffb347;--_note:#1f3323;--_note-line:#66bb6a;--_fixed:#a5d6a7}}
.vow-root,.vow-ask,.vow-settings-link,.vow-purposes{font:var(--vow-font,15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);color:var(--vow-text,var(--_text));box-sizing:border-box}
.vow-root{position:fixed;left:0;right:0;bottom:0;z-index:2147483000;display:flex;justify-content:center;padding:1rem;pointer-events:none}
.vow-root.vow-modal{top:0;align-items:center;background:rgba(0,0,0,.5);pointer-events:auto}
.vow-box{pointer-events:auto;background:var(--vow-bg,var(--_bg));border:1px solid var(--vow-border,var(--_border));border-radius:var(--vow-radius,8px);box-shadow:0 4px 24px rgba(0,0,0,.3);width:100%;max-width:40rem;max-height:calc(100vh - 2rem);overflow:auto;padding:1.25rem 1.5rem}
.vow-box h2,.vow-ask h2{font-size:1.15rem;margin:0 0 .5rem}
.vow-box p,.vow-ask p{margin:0 0 .75rem}
.vow-actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.75rem 0}
.vow-btn{flex:1 1 8rem;font:inherit;font-weight:600;padding:.55rem 1rem;border:2px solid var(--vow-accent,var(--_accent));border-radius:6px;background:var(--vow-accent,var(--_accent));color:var(--vow-accent-text,var(--_accent-text));cursor:pointer}
.vow-btn:hover{filter:brightness(.9)}
.vow-root :focus-visible,.vow-ask :focus-visible,.vow-purposes :focus-visible,.vow-settings-link:focus-visible{outline:3px solid var(--vow-focus,var(--_focus));outline-offset:2px}
.vow-box:focus,.vow-ask:focus{outline:none}
.vow-cat{border:1px solid var(--_line);border-radius:6px;margin:0 0 .75rem;padding:.5rem .9rem .25rem}
.vow-cat legend{font-weight:600;padding:0 .25rem}
.vow-opts{display:flex;flex-wrap:wrap;gap:.4rem 1.25rem;margin-bottom:.5rem}
.vow-opts label{display:inline-flex;gap:.35rem;align-items:center;cursor:pointer}
.vow-opts input{width:1.1rem;height:1.1rem;margin:0;accent-color:var(--vow-accent,var(--_accent))}
.vow-note{background:var(--_note);border-left:4px solid var(--_note-line);padding:.5rem .75rem}
.vow-fixed{color:var(--_fixed);font-weight:600}
.vow-box a,.vow-ask a{color:var(--vow-accent,var(--_accent))}
.vow-box table{border-collapse:collapse;width:100%;font-size:.9em;margin:0 0 .75rem}
.vow-box th,.vow-box td{text-align:left;vertical-align:top;border-top:1px solid var(--_line);padding:.3rem .4rem}
.vow-ask{display:block;background:var(--vow-bg,var(--_bg));border:2px dashed var(--vow-border,var(--_border));border-radius:var(--vow-radius,8px);padding:1rem;max-width:32rem;margin:.5rem 0}
.vow-asks{position:fixed;right:1rem;bottom:1rem;z-index:2147482999;max-width:24rem}
.vow-purposes{display:block;max-width:40rem;background:var(--vow-bg,var(--_bg))}
.vow-purposes .vow-btn{flex:0 1 auto}
.vow-settings-link{position:fixed;left:.75rem;bottom:.75rem;z-index:2147482998;font-size:13px;padding:.3rem .6rem;border:1px solid var(--vow-border,var(--_border));border-radius:4px;background:var(--vow-bg,var(--_bg));color:var(--vow-accent,var(--_accent));cursor:pointer}
.vow-status{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
`;

let injected = false;

export function injectStyles(): void {
  if (injected) return;
  injected = true;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement('style');
    style.textContent = CSS;
    document.head.append(style);
  }
}
