/** `lockscope import FILE -o CAPTURE`: bpftrace output (text or -f json) to a capture, streamed. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CaptureEncoder } from '../../core/capture/capture-encoder.js';
import { BpftraceImporter } from '../../core/import/bpftrace-importer.js';
import { formatImportError } from '../../core/import/import-error.js';
import { CaptureFileWriter, describeOpenError } from '../capture-file.js';
import { CliError } from '../cli-error.js';

const SHOWN_ERRORS = 10;

export async function importCommand(input: string, output: string, err: (text: string) => void): Promise<number> {
  const stream = input === '-' ? process.stdin : createReadStream(input);
  const opened = new Promise<void>((resolve, reject) => {
    if (input === '-') {
      resolve();
      return;
    }
    stream.once('open', () => {
      resolve();
    });
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (e) {
    throw new CliError(describeOpenError(e, input, 'read'));
  }
  const importer = new BpftraceImporter();
  const encoder = new CaptureEncoder();
  let writer: CaptureFileWriter | undefined;
  const flush = (): void => {
    const header = importer.header;
    const events = importer.drain();
    if (header === undefined) {
      return;
    }
    if (writer === undefined) {
      writer = new CaptureFileWriter(output);
      writer.write([encoder.start(header)]);
    }
    writer.write(encoder.append(events));
  };
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      importer.line(line);
      if (++n % 4096 === 0) {
        flush();
      }
    }
  } catch (e) {
    throw new CliError(describeOpenError(e, input, 'read'));
  }
  flush();
  const result = importer.finish();
  const rest = importer.drain();
  if (writer === undefined) {
    if (result.counts.events === 0 && rest.length === 0 && result.counts.errors === 0) {
      throw new CliError(
        `${input}: no Lockscope probe output found (${result.counts.lines.toLocaleString('en-US')} lines read, none an LS1 event line); import reads what Lockscope's bpftrace programs print, as text or with -f json`,
      );
    }
    writer = new CaptureFileWriter(output);
    writer.write([encoder.start(result.header)]);
  }
  writer.write(encoder.append(rest));
  writer.write(encoder.close('import finished'));
  writer.close();
  const c = result.counts;
  err(
    `lockscope: imported ${c.events.toLocaleString('en-US')} events from ${c.lines.toLocaleString('en-US')} lines into ${output}` +
      ` (${c.ignoredLines.toLocaleString('en-US')} other lines ignored, ${c.lostEvents.toLocaleString('en-US')} events reported lost by bpftrace)`,
  );
  if (c.errors > 0) {
    err(`lockscope: warning: ${c.errors.toLocaleString('en-US')} lines could not be read and were left out:`);
    for (const e of result.errors.slice(0, SHOWN_ERRORS)) {
      err(`  ${input}: ${formatImportError(e)}`);
    }
    if (c.errors > SHOWN_ERRORS) {
      err(`  … and ${(c.errors - SHOWN_ERRORS).toLocaleString('en-US')} more`);
    }
  }
  for (const note of result.header.notes) {
    err(`lockscope: note: ${note}`);
  }
  return 0;
}
