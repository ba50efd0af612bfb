/**
 * textcache: a bounded memo keyed by document text. The controller re-renders the same documents
 * on every reconcile, so work that is a pure function of a document's text (reading its head,
 * annotating it for post-renderers) is worth keeping; a lookup costs hashing the text once.
 * Bounded by entries and by the characters the keys hold; the oldest entries go first.
 */
export class TextCache<V> {
  readonly #entries = new Map<string, V>();
  /** #order lists the keys oldest first from #head (a Map's own order is slow to take from the front after many deletes). */
  #order: string[] = [];
  #head = 0;
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
    if (this.#entries.has(text)) {
      this.#entries.set(text, value);
      return;
    }
    while (
      this.#entries.size > 0 &&
      (this.#entries.size >= this.maxEntries || this.#chars + text.length > this.maxChars)
    ) {
      const oldest = this.#order[this.#head++]!;
      this.#entries.delete(oldest);
      this.#chars -= oldest.length;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
    this.#entries.set(text, value);
    this.#order.push(text);
    this.#chars += text.length;
  }

  get size(): number {
    return this.#entries.size;
  }
}
