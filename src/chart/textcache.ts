/**
 * textcache: a bounded memo keyed by document text. The controller re-renders the same documents
 * on every reconcile, so work that is a pure function of a document's text (reading its head,
 * annotating it for post-renderers) is worth keeping; a lookup costs hashing the text once.
 * Bounded by entries and by the characters the keys hold; the oldest entries go first.
 */
export class TextCache<V> {
  readonly #entries = new Map<string, V>();
  #chars = 0;

  constructor(
    readonly maxEntries: number,
    /** maxChars bounds the characters of all keys; a key longer than maxChars / 16 is not kept. */
    readonly maxChars: number,
  ) {}

  get(text: string): V | undefined {
    return this.#entries.get(text);
  }

  set(text: string, value: V): void {
    if (text.length > this.maxChars / 16) return;
    const had = this.#entries.get(text);
    if (had !== undefined) {
      this.#entries.set(text, value);
      return;
    }
    while (
      this.#entries.size > 0 &&
      (this.#entries.size >= this.maxEntries || this.#chars + text.length > this.maxChars)
    ) {
      const oldest = this.#entries.keys().next().value!;
      this.#entries.delete(oldest);
      this.#chars -= oldest.length;
    }
    this.#entries.set(text, value);
    this.#chars += text.length;
  }

  get size(): number {
    return this.#entries.size;
  }
}
