// Bytes -> text, strictly: binary files and invalid UTF-8 are refused with a
// message. Pure (TextDecoder only): the CLI and the web playground both use it.

export class FileError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes bytes strictly; throws FileError for binary or non-UTF-8 content. */
export function decodeText(path: string, bytes: Uint8Array): string {
  const probe = bytes.subarray(0, 8192);
  if (probe.includes(0)) throw new FileError(path, "is a binary file (it contains NUL bytes); not a Nix file");
  try {
    return decoder.decode(bytes);
  } catch {
    const offset = invalidUtf8Offset(bytes);
    throw new FileError(path, `is not valid UTF-8 (first bad byte at offset ${offset}); convert it to UTF-8 first`);
  }
}

/**
 * Offset of the first byte that does not begin a valid UTF-8 sequence (a stray
 * continuation byte, an overlong form, a surrogate, a code point past U+10FFFF,
 * or a sequence cut short), or -1 when all is valid. Linear: a large file with a
 * bad byte near its end must not take quadratic time.
 */
export function invalidUtf8Offset(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}
