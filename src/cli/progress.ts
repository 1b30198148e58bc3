// A clearable status line on stderr, only on a terminal outside CI.
import { quotePath } from "../report/escape.js";

export interface ProgressIo {
  stderr(s: string): void;
  readonly stderrIsTTY?: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export class Progress {
  private readonly on: boolean;
  private last = 0;
  private shown = false;
  constructor(private readonly io: ProgressIo) {
    this.on = !!io.stderrIsTTY && !io.env.CI;
  }
  update(phase: string, done: number, total: number, path?: string) {
    if (!this.on || total < 50) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const cols = Number(this.io.env.COLUMNS) || 80;
    const line = `${phase} ${done}/${total}${path ? ` ${quotePath(path)}` : ""}`;
    this.io.stderr(`\r\x1b[K${line.slice(0, cols - 1)}`);
    this.shown = true;
  }
  /** A status line for a step that takes a while however little there is (--verify's evaluations). */
  status(text: string) {
    if (!this.on) return;
    const cols = Number(this.io.env.COLUMNS) || 80;
    this.io.stderr(`\r\x1b[K${text.slice(0, cols - 1)}`);
    this.shown = true;
  }
  done() {
    if (this.shown) this.io.stderr("\r\x1b[K");
    this.shown = false;
  }
}
