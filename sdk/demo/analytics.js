// A stand-in for a third-party analytics tag: it runs only once the visitor allowed
// "analytics", and sets the cookies the declaration lists for that category. Like the
// real one, it puts `_ga` on the parent domain (www.shop.example → shop.example).
const now = Math.floor(Date.now() / 1000);
const labels = location.hostname.split('.');
const parent = /^[\d.]+$/.test(location.hostname) || labels.length < 3 ? '' : `; Domain=${labels.slice(1).join('.')}`;
const cookie = (name, value, domain) => {
  document.cookie = `${name}=${value}; Path=/; Max-Age=63072000; SameSite=Lax${domain}`;
};
cookie('_ga', `GA1.1.${Math.floor(Math.random() * 1e9)}.${now}`, parent);
cookie('_ga_DEMO', `GS1.1.${now}.1.0.${now}`, '');
document.documentElement.setAttribute('data-analytics-ran', '');
