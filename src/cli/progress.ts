/**
 * Progress lines on stderr: rows done, rows per second and time left. On a terminal
 * one line is rewritten in place; otherwise a line is printed at most every few seconds.
 */
export class Progress {
  private readonly started = performance.now();
  private lastPrint = 0;
  private readonly tty: boolean;

  constructor(
    private readonly stage: string,
    private readonly total: () => number | undefined,
    private readonly fraction: () => number | undefined = () => undefined,
    private readonly enabled = true,
  ) {
    this.tty = Boolean(process.stderr.isTTY);
  }

  update(rows: number, final = false): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (!final && now - this.lastPrint < (this.tty ? 250 : 3000)) return;
    this.lastPrint = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? rows / seconds : 0;
    const total = this.total();
    const done = total !== undefined && total > 0 ? rows / total : this.fraction();
    let text = `${this.stage}: ${rows.toLocaleString('en-US')} rows`;
    if (total !== undefined) text += ` of ${total.toLocaleString('en-US')}`;
    if (done !== undefined) text += ` (${Math.min(100, done * 100).toFixed(0)}%)`;
    text += `, ${Math.round(rate).toLocaleString('en-US')} rows/s`;
    if (done !== undefined && done > 0 && !final) text += `, ${formatDuration((seconds * (1 - done)) / done)} left`;
    if (final) text += `, ${formatDuration(seconds)} in all`;
    process.stderr.write(this.tty ? `\r\x1b[2K${text}${final ? '\n' : ''}` : `${text}\n`);
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
