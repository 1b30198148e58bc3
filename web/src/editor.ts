// A plain <textarea> with a line-number gutter and a line marker behind the
// text (no wrapping, so a text line is a visual row). Keeps the exact text of a
// loaded file: a textarea turns CRLF into LF, so until the user edits it, the
// file's own text (CRLF, BOM) is what gets migrated and shared.

export class Editor {
  private readonly gutter: HTMLElement;
  private readonly marker: HTMLElement;
  private exact: { text: string; shown: string } | null = null;
  private markedLine: number | null = null;
  private errorLine: number | null = null;

  constructor(readonly textarea: HTMLTextAreaElement, root: HTMLElement) {
    this.gutter = root.querySelector(".gutter")!;
    this.marker = root.querySelector(".line-marker")!;
    textarea.addEventListener("input", () => {
      this.errorLine = null;
      this.unmark();
      this.renderGutter();
    });
    textarea.addEventListener("scroll", () => this.syncScroll());
    new ResizeObserver(() => this.syncScroll()).observe(textarea);
    this.renderGutter();
  }

  /** The text to migrate: the loaded file byte for byte, or what the user typed. */
  get text(): string {
    const shown = this.textarea.value;
    return this.exact && this.exact.shown === shown ? this.exact.text : shown;
  }

  set text(text: string) {
    this.textarea.value = text;
    this.exact = { text, shown: this.textarea.value };
    this.errorLine = null;
    this.unmark();
    this.renderGutter();
  }

  private lineHeight(): number {
    return parseFloat(getComputedStyle(this.textarea).lineHeight) || 20;
  }

  private padTop(): number {
    return parseFloat(getComputedStyle(this.textarea).paddingTop) || 0;
  }

  private renderGutter(): void {
    const count = this.textarea.value.split("\n").length;
    const frag = document.createDocumentFragment();
    for (let i = 1; i <= count; i++) {
      const span = document.createElement("span");
      span.textContent = String(i);
      if (i === this.errorLine) span.className = "error";
      if (i === this.markedLine) span.classList.add("marked");
      frag.append(span, "\n");
    }
    this.gutter.replaceChildren(frag);
    this.syncScroll();
  }

  private syncScroll(): void {
    this.gutter.scrollTop = this.textarea.scrollTop;
    if (this.markedLine !== null) {
      const top = this.padTop() + (this.markedLine - 1) * this.lineHeight() - this.textarea.scrollTop;
      this.marker.style.transform = `translateY(${top}px)`;
      this.marker.style.height = `${this.lineHeight()}px`;
    }
  }

  /** Marks a syntax error's line in the gutter (until the text changes). */
  setErrorLine(line: number | null): void {
    this.errorLine = line;
    this.renderGutter();
  }

  private unmark(): void {
    this.markedLine = null;
    this.marker.hidden = true;
  }

  /** Highlights a line, scrolls it into the middle and puts the caret at `column`. */
  reveal(line: number, column = 1): void {
    const lines = this.textarea.value.split("\n");
    const l = Math.min(Math.max(1, line), lines.length);
    let offset = 0;
    for (let i = 0; i < l - 1; i++) offset += lines[i]!.length + 1;
    // columns count code points (an emoji is one), after a BOM on line 1, like the CLI's
    const text = lines[l - 1]!;
    let i = l === 1 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
    for (let c = 1; c < column && i < text.length; c++) i += text.codePointAt(i)! > 0xffff ? 2 : 1;
    offset += i;
    this.textarea.setSelectionRange(offset, offset);
    this.markedLine = l;
    this.marker.hidden = false;
    const lh = this.lineHeight();
    this.textarea.scrollTop = Math.max(0, (l - 1) * lh - (this.textarea.clientHeight - lh) / 2);
    this.renderGutter();
  }

  /** The line the marker is on (tests and screen readers read it from the gutter). */
  get marked(): number | null {
    return this.markedLine;
  }
}
