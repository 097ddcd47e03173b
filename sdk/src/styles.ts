/**
 * The SDK's styles, injected once. A constructed style sheet where the browser has them:
 * a site's Content-Security-Policy does not need 'unsafe-inline' for it.
 */
const CSS = `
.vow-root,.vow-ask,.vow-settings-link,.vow-purposes{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;box-sizing:border-box}
.vow-root{position:fixed;left:0;right:0;bottom:0;z-index:2147483000;display:flex;justify-content:center;padding:1rem;pointer-events:none}
.vow-root.vow-modal{top:0;align-items:center;background:rgba(0,0,0,.5);pointer-events:auto}
.vow-box{pointer-events:auto;background:#fff;border:1px solid #767676;border-radius:8px;box-shadow:0 4px 24px rgba(0,0,0,.3);width:100%;max-width:40rem;max-height:calc(100vh - 2rem);overflow:auto;padding:1.25rem 1.5rem}
.vow-box h2,.vow-ask h2{font-size:1.15rem;margin:0 0 .5rem}
.vow-box p,.vow-ask p{margin:0 0 .75rem}
.vow-actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.75rem 0}
.vow-btn{flex:1 1 8rem;font:inherit;font-weight:600;padding:.55rem 1rem;border:2px solid #1d3f8f;border-radius:6px;background:#1d3f8f;color:#fff;cursor:pointer}
.vow-btn:hover{background:#142d69}
.vow-root :focus-visible,.vow-ask :focus-visible,.vow-purposes :focus-visible,.vow-settings-link:focus-visible{outline:3px solid #c77700;outline-offset:2px}
.vow-box:focus,.vow-ask:focus{outline:none}
.vow-cat{border:1px solid #c4c4c4;border-radius:6px;margin:0 0 .75rem;padding:.5rem .9rem .25rem}
.vow-cat legend{font-weight:600;padding:0 .25rem}
.vow-opts{display:flex;flex-wrap:wrap;gap:.4rem 1.25rem;margin-bottom:.5rem}
.vow-opts label{display:inline-flex;gap:.35rem;align-items:center;cursor:pointer}
.vow-opts input{width:1.1rem;height:1.1rem;margin:0;accent-color:#1d3f8f}
.vow-note{background:#e7f3e9;border-left:4px solid #2e7d32;padding:.5rem .75rem}
.vow-fixed{color:#2e5e31;font-weight:600}
.vow-box a{color:#1d3f8f}
.vow-ask{display:block;background:#fff;border:2px dashed #767676;border-radius:8px;padding:1rem;max-width:32rem;margin:.5rem 0}
.vow-asks{position:fixed;right:1rem;bottom:1rem;z-index:2147482999;max-width:24rem}
.vow-purposes{display:block;max-width:40rem;background:#fff}
.vow-purposes .vow-btn{flex:0 1 auto}
.vow-settings-link{position:fixed;left:.75rem;bottom:.75rem;z-index:2147482998;font-size:13px;padding:.3rem .6rem;border:1px solid #767676;border-radius:4px;background:#fff;color:#1d3f8f;cursor:pointer}
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
