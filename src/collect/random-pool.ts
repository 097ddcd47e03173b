/**
 * Random bytes drawn from the system's CSPRNG a page at a time. Each draw of a few bytes
 * costs about 3 µs here, more than sealing an event; ids and IVs need two per event. The
 * bytes are the same CSPRNG output, each handed out once (Node's randomUUID does the same).
 */
import { randomBytes } from 'node:crypto';

const PAGE = 4096;

export class RandomPool {
  #page = Buffer.alloc(0);
  #offset = 0;

  /** `n` fresh random bytes (a view that is never handed out again). */
  take(n: number): Buffer {
    if (n > PAGE / 8) return randomBytes(n);
    if (this.#offset + n > this.#page.length) {
      this.#page = randomBytes(PAGE);
      this.#offset = 0;
    }
    const bytes = this.#page.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return bytes;
  }
}
