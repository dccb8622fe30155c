// Every span edgetrace finishes is either exported or dropped, and every drop is counted and
// reported in one log line: exported + dropped === sampled, always.
export class SpanStats {
  /** @param {(line: string) => void} log */
  constructor(log) {
    this.log = log;
    this.sampled = 0;
    this.exported = 0;
    this.dropped = 0;
    /** @type {Record<string, number>} */
    this.droppedByReason = {};
  }

  recordSampled(count = 1) {
    this.sampled += count;
  }

  recordExported(count = 1) {
    this.exported += count;
  }

  /**
   * @param {string} reason  stable identifier, e.g. "collector_timeout"
   * @param {string} detail  human explanation for the log line
   * @param {number} [count]  spans lost together (one export request holds up to two)
   */
  recordDropped(reason, detail, count = 1) {
    this.dropped += count;
    this.droppedByReason[reason] = (this.droppedByReason[reason] ?? 0) + count;
    this.log(
      `edgetrace: dropped ${count} span${count === 1 ? '' : 's'}: ${detail} [reason=${reason} sampled=${this.sampled} exported=${this.exported} dropped=${this.dropped}]`,
    );
  }

  /** Counts a drop whose report is folded into a summary line (see OtlpHttpExporter). */
  countDropped(reason, count = 1) {
    this.dropped += count;
    this.droppedByReason[reason] = (this.droppedByReason[reason] ?? 0) + count;
  }

  snapshot() {
    return { sampled: this.sampled, exported: this.exported, dropped: this.dropped, droppedByReason: { ...this.droppedByReason } };
  }
}
