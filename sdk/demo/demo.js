// The demo site's own script: starts the SDK (in the language of ?lang=) and records
// the features and actions of the buttons with Vow.track.
const lang = new URLSearchParams(location.search).get('lang');
window.Vow.init(lang ? { lang } : {}).catch((error) => {
  console.error(error);
});

document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-track-feature],[data-track-action]') : null;
  if (!button) return;
  const feature = button.getAttribute('data-track-feature');
  const action = button.getAttribute('data-track-action');
  const kept = feature ? window.Vow.track('feature', { features: [feature] }) : window.Vow.track('action', { action: action ?? 'click' });
  const status = document.getElementById('track-status');
  if (status) status.textContent = kept ? 'Recorded; sent when you leave the page.' : 'Not recorded: you have not allowed usage data.';
});
