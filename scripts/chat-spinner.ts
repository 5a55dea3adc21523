/** The terminal chat's one-line spinner while the coach thinks (`npm run chat`). */
import type { TextOutput } from './chat-session';

const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A one-line spinner on a TTY; nothing at all elsewhere. */
export class Spinner {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private label = '';

  constructor(
    private readonly out: TextOutput,
    private readonly enabled: boolean,
  ) {}

  start(label: string): void {
    this.label = label;
    if (!this.enabled) return;
    if (this.timer) return this.render();
    this.render();
    this.timer = setInterval(() => this.render(), 80);
    this.timer.unref();
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.out.write('\r\x1b[K');
  }

  private render(): void {
    this.frame = (this.frame + 1) % SPINNER_FRAMES.length;
    this.out.write(`\r\x1b[K${SPINNER_FRAMES[this.frame]} ${this.label}`);
  }
}
