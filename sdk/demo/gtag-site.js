// A site's Google tag snippet, as Google writes it, after vow.js: it reuses the dataLayer
// and finds Vow's Consent Mode default already there.
window.dataLayer = window.dataLayer || [];
function gtag() {
  window.dataLayer.push(arguments);
}
gtag('js', new Date());
gtag('config', 'G-VOWDEMO');
gtag('event', 'page_view');
