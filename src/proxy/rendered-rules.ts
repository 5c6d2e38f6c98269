// What the proxy wants in its table for one Service: its own chains (rules as nft text), its affinity sets and its
// elements in the shared maps and sets. The diff of two of these is what one sync writes.

/** An element of one of the table's shared maps or sets. */
export interface NftElement {
  /** The map or set, e.g. service-ips. */
  container: string;
  /** The key in nft syntax, e.g. `10.96.0.10 . tcp . 53`. */
  key: string;
  /** A map element's value, e.g. `goto service-…`; undefined in a set. */
  value?: string;
  comment?: string;
}

export interface RenderedRules {
  /** Chain name to its rules, in order. */
  chains: Map<string, string[]>;
  /** Affinity set name to its timeout in seconds. */
  sets: Map<string, number>;
  elements: NftElement[];
}

export function emptyRendered(): RenderedRules {
  return { chains: new Map(), sets: new Map(), elements: [] };
}

/** The identity of an element: its container and key. */
export function elementId(e: NftElement): string {
  return `${e.container} ${e.key}`;
}
