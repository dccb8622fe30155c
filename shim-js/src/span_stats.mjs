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

  recordSampled() {
    this.sampled++;
  }

  recordExported() {
    this.exported++;
  }

  /**
   * @param {string} reason  stable identifier, e.g. "collector_timeout"
   * @param {string} detail  human explanation for the log line
   */
  recordDropped(reason, detail) {
    this.dropped++;
    this.droppedByReason[reason] = (this.droppedByReason[reason] ?? 0) + 1;
    this.log(
      `edgetrace: dropped 1 span: ${detail} [reason=${reason} sampled=${this.sampled} exported=${this.exported} dropped=${this.dropped}]`,
    );
  }

  /** Counts a drop whose report is folded into a summary line (see OtlpHttpExporter). */
  countDropped(reason) {
    this.dropped++;
    this.droppedByReason[reason] = (this.droppedByReason[reason] ?? 0) + 1;
  }

  snapshot() {
    return { sampled: this.sampled, exported: this.exported, dropped: this.dropped, droppedByReason: { ...this.droppedByReason } };
  }
}
