/**
 * An outbound HTTP request that reaches only public addresses unless the operator allows
 * others: names are resolved through the egress guard at connect time and an address
 * literal is checked before connecting, so the address refused is the one that would be
 * reached (no DNS rebinding). Redirects are not followed. Webhooks and the company's
 * services (declared `http` systems) both go out through here.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { addressLiteralOf, guardedLookup, isPublicAddress } from './egress-guard.js';

export interface GuardedRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  allowPrivate: boolean;
  timeoutMs: number;
  /** Bytes of the answer kept; past them the request fails. 0: drained, not kept. */
  maxAnswerBytes: number;
}

export interface GuardedAnswer {
  status: number;
  body: Buffer;
}

export function sendGuarded(url: URL, options: GuardedRequest): Promise<GuardedAnswer> {
  const literal = addressLiteralOf(url);
  if (!options.allowPrivate && literal !== undefined && !isPublicAddress(literal)) return Promise.reject(Object.assign(new Error('non-public address'), { code: 'EADDRNOTPUBLIC' }));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers = options.body === undefined ? options.headers : { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) };
  return new Promise((resolve, reject) => {
    const request = send(url, { method: options.method, headers, lookup: guardedLookup(options.allowPrivate), timeout: options.timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (options.maxAnswerBytes === 0) return;
        size += chunk.length;
        if (size > options.maxAnswerBytes) {
          request.destroy(Object.assign(new Error('answer too large'), { code: 'EANSWERTOOLARGE' }));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) });
      });
      response.on('error', reject);
    });
    request.on('timeout', () => {
      request.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
