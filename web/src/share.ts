// Shareable links: the input and the options live in the URL fragment
// (`#s=<base64url(deflate-raw(JSON))>`). Browsers never send the fragment to a
// server, and nothing here makes a request: the link is the only copy.

export interface SharedState {
  text: string;
  path: string;
  host: string;
  parity: boolean;
  allowOldNixpkgs: boolean;
}

const PREFIX = "#s=";

interface Wire {
  v: 1;
  t: string;
  p?: string;
  h?: string;
  y?: 1;
  o?: 1;
}

/** Inflated links stop here: a flake is kilobytes, and a crafted link must not eat the tab's memory. */
const MAX_BYTES = 8 * 1024 * 1024;

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(stream).getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BYTES) {
      await reader.cancel();
      throw new Error("too large");
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(s: string): Uint8Array {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The fragment (with its `#`) for a state. */
export async function encodeFragment(state: SharedState): Promise<string> {
  const wire: Wire = { v: 1, t: state.text };
  if (state.path && state.path !== "flake.nix") wire.p = state.path;
  if (state.host) wire.h = state.host;
  if (state.parity) wire.y = 1;
  if (state.allowOldNixpkgs) wire.o = 1;
  const packed = await pipe(new TextEncoder().encode(JSON.stringify(wire)), new CompressionStream("deflate-raw"));
  return PREFIX + toBase64Url(packed);
}

export function hasSharedState(hash: string): boolean {
  return hash.startsWith(PREFIX) && hash.length > PREFIX.length;
}

/** The state in a fragment; throws with a readable message when it is damaged. */
export async function decodeFragment(hash: string): Promise<SharedState> {
  if (!hasSharedState(hash)) throw new Error("the link holds no input");
  let wire: Wire;
  try {
    const bytes = await pipe(fromBase64Url(hash.slice(PREFIX.length)), new DecompressionStream("deflate-raw"));
    wire = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as Wire;
  } catch {
    throw new Error("the link is damaged (was it cut off when it was copied?)");
  }
  if (wire?.v !== 1 || typeof wire.t !== "string") throw new Error("the link was made by a different version of the playground");
  return {
    text: wire.t,
    path: typeof wire.p === "string" && wire.p ? wire.p : "flake.nix",
    host: typeof wire.h === "string" ? wire.h : "",
    parity: wire.y === 1,
    allowOldNixpkgs: wire.o === 1,
  };
}
