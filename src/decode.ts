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
    let offset = 0;
    // find the first invalid byte for the message
    for (let end = 1; end <= bytes.length; end++) {
      try {
        decoder.decode(bytes.subarray(0, end), { stream: true });
      } catch {
        offset = end - 1;
        break;
      }
    }
    throw new FileError(path, `is not valid UTF-8 (first bad byte at offset ${offset}); convert it to UTF-8 first`);
  }
}
