interface Waiting<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers the calls made during one turn of the event loop and sends them together, at most `maxItems` a send.
 * Nothing waits for a batch to fill: a call made alone leaves on the next turn, as it would have unbatched.
 */
export class Batcher<Item, Result> {
  private waiting: Array<Waiting<Item, Result>> = [];

  constructor(
    private readonly maxItems: number,
    /** Answers one result per item, in the items' order. */
    private readonly send: (items: Item[]) => Promise<Result[]>,
  ) {}

  add(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => this.flush());
      this.waiting.push({ item, resolve, reject });
    });
  }

  private flush(): void {
    const all = this.waiting;
    this.waiting = [];
    for (let start = 0; start < all.length; start += this.maxItems) {
      void this.sendGroup(all.slice(start, start + this.maxItems));
    }
  }

  private async sendGroup(group: Array<Waiting<Item, Result>>): Promise<void> {
    try {
      const results = await this.send(group.map((waiting) => waiting.item));
      group.forEach((waiting, index) => waiting.resolve(results[index]!));
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
    }
  }
}
