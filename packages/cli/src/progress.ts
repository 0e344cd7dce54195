import type { Io } from './main.ts';

/** A one-line progress bar on stderr, redrawn at most every 100 ms. */
export function createProgressBar(io: Io) {
  let last = 0;
  const draw = (done: number, total: number, file: string) => {
    const width = 24;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const name = file.length > 40 ? `…${file.slice(-39)}` : file;
    io.stderr(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${name}`);
  };
  return {
    update(done: number, total: number, file: string) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      draw(done, total, file);
    },
    done() {
      io.stderr('\r\x1b[2K');
    },
  };
}
