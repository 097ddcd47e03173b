/** Deleting a withdrawn category's cookies: by name or pattern, on the site's domain and its parent domains. */
import type { CookieRule } from './types.js';

/** Names of the cookies this page can see. */
export function cookieNames(): string[] {
  return document.cookie
    .split(';')
    .map((pair) => pair.split('=')[0]?.trim() ?? '')
    .filter(Boolean);
}

/** Whether a cookie name is covered by a declared cookie (exact name, or a regular expression). */
export function matches(rule: CookieRule, name: string): boolean {
  if (!rule.pattern) return rule.name === name;
  try {
    return new RegExp(rule.name).test(name);
  } catch {
    return false;
  }
}

/** `www.shop.example.com` → ['', 'www.shop.example.com', 'shop.example.com', 'example.com']: host-only first, then each domain but the top level. */
export function domainsOf(hostname: string): string[] {
  if (/^[\d.]+$|:/.test(hostname) || !hostname.includes('.')) return [''];
  const labels = hostname.split('.');
  const domains = [''];
  for (let i = 0; i < labels.length - 1; i++) domains.push(labels.slice(i).join('.'));
  return domains;
}

/** `/a/b/c` → ['/', '/a', '/a/b', '/a/b/c']: a cookie is deleted only with the path it was set on. */
export function pathsOf(pathname: string): string[] {
  const paths = ['/'];
  let path = '';
  for (const segment of pathname.split('/').filter(Boolean)) paths.push((path += `/${segment}`));
  return paths;
}

/**
 * Deletes every cookie of the page that the rules name, wherever it may have been set:
 * host-only and on each (parent) domain, on each path up to the current one.
 * Returns the names deleted.
 */
export function deleteCookies(rules: readonly CookieRule[]): string[] {
  const names = cookieNames().filter((name) => rules.some((rule) => matches(rule, name)));
  for (const name of names)
    for (const domain of domainsOf(location.hostname))
      for (const path of pathsOf(location.pathname))
        document.cookie = `${name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=${path}${domain ? `; Domain=${domain}` : ''}`;
  return names;
}
