/**
 * RFC 4180 CSV, fed in pieces: quoted fields may hold separators, doubled quotes and line breaks;
 * CRLF or LF ends a record. The first record is the header. A quote inside an unquoted field is
 * taken literally (as most writers produce it) rather than refused.
 */
export interface CsvRecord { fields: string[]; line: number }

export class CsvParser {
  private field = '';
  private fields: string[] = [];
  private quoted = false;
  private inQuotes = false;
  private quotePending = false;
  private line = 1;
  private recordLine = 1;
  private fieldStarted = false;

  constructor(private readonly separator = ',', private readonly maxRecordChars = 16 * 1024 * 1024) {}

  push(text: string, onRecord: (r: CsvRecord) => void, onError: (reason: string, line: number) => void): void {
    const sep = this.separator;
    let size = this.field.length;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === '"') {
            this.field += '"';
            continue;
          }
          this.inQuotes = false;
          // fall through: c is what follows the closing quote
        } else if (c === '"') {
          this.quotePending = true;
          continue;
        } else {
          if (c === '\n') this.line++;
          this.field += c;
          if (++size > this.maxRecordChars) {
            onError(`csv: record longer than ${this.maxRecordChars} characters`, this.recordLine);
            this.resetRecord();
            this.inQuotes = false;
            size = 0;
          }
          continue;
        }
      }
      if (c === sep) {
        this.fields.push(this.field);
        this.field = '';
        this.quoted = false;
        this.fieldStarted = true;
      } else if (c === '\n') {
        this.line++;
        this.endRecord(onRecord);
        size = 0;
      } else if (c === '\r') {
        // dropped: CR of CRLF (a lone CR inside an unquoted field is dropped too)
      } else if (c === '"' && this.field === '' && !this.quoted) {
        this.inQuotes = true;
        this.quoted = true;
        this.fieldStarted = true;
      } else {
        this.field += c;
        this.fieldStarted = true;
        if (++size > this.maxRecordChars) {
          onError(`csv: record longer than ${this.maxRecordChars} characters`, this.recordLine);
          this.resetRecord();
          size = 0;
        }
      }
    }
  }

  end(onRecord: (r: CsvRecord) => void, onError: (reason: string, line: number) => void): void {
    if (this.inQuotes && !this.quotePending) {
      onError('csv: input ended inside a quoted field', this.recordLine);
      this.resetRecord();
      return;
    }
    this.inQuotes = false;
    this.quotePending = false;
    if (this.fieldStarted || this.field !== '' || this.fields.length > 0) this.endRecord(onRecord);
  }

  private endRecord(onRecord: (r: CsvRecord) => void): void {
    if (this.inQuotes) return;
    this.fields.push(this.field);
    const rec = { fields: this.fields, line: this.recordLine };
    const blank = this.fields.length === 1 && this.fields[0] === '' && !this.quoted;
    this.resetRecord();
    if (!blank) onRecord(rec);
  }

  private resetRecord(): void {
    this.fields = [];
    this.field = '';
    this.quoted = false;
    this.fieldStarted = false;
    this.recordLine = this.line;
  }
}
