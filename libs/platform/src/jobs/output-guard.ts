import type { JobRecord } from '@gateway/contracts';
import {
  applyPiiPolicy,
  PlaceholderSafeSplitter,
  restorePseudonymsIn,
  type PseudonymMapping,
  type PseudonymVault,
} from '@gateway/governance';
import type { DeltaFilter, GuardedOutput, OutputGuard } from '@gateway/queue';

/** True when the job's input was pseudonymised (records from before `policy.input`: any PII). */
export function isPseudonymised(record: Pick<JobRecord, 'policy'>): boolean {
  const { input, redactions } = record.policy;
  return input === 'pseudonymise' || (input === undefined && Object.keys(redactions).length > 0);
}

const nonZero = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

/**
 * Governance of a model's output in the worker, before it is stored. The output PII policy
 * (`record.policy.output`, fixed at admission from the route or the tenant) runs on what the
 * model wrote, placeholders included, so values the client sent come back while new personal
 * data the model produced is redacted, masked or blocked. Then the job's own pseudonymised
 * values are put back. The cache gets the form before that last step, so a cached answer
 * never carries another job's values.
 */
export class GovernedOutput implements OutputGuard {
  constructor(private readonly vault: PseudonymVault) {}

  async prepare(record: JobRecord, output: unknown): Promise<GuardedOutput> {
    const mode = record.policy.output;
    let shareable = output;
    let redactions: Record<string, number> = {};
    if (mode) {
      const scan = applyPiiPolicy(output, mode);
      redactions = nonZero(scan.counts);
      if (scan.blocked) {
        const summary = Object.entries(redactions)
          .map(([t, n]) => `${n} ${t}`)
          .join(', ');
        return {
          ok: false,
          message: `The model's output contains personal data (${summary}) and the output PII policy "block" withholds it`,
          redactions,
        };
      }
      shareable = scan.value;
    }
    const mapping = isPseudonymised(record) ? await this.vault.load(record.id) : null;
    return {
      ok: true,
      output: mapping ? restorePseudonymsIn(shareable, mapping) : shareable,
      shareable,
      redactions,
    };
  }

  deltaFilter(record: JobRecord): DeltaFilter | undefined {
    const mode = record.policy.output;
    if (mode) {
      // Detectors need whole values (an IBAN spans pieces): the scanned reply goes out at the end.
      let text = '';
      return {
        push: (piece) => {
          text += piece;
          return '';
        },
        end: () => applyPiiPolicy(text, mode).value,
      };
    }
    if (isPseudonymised(record)) return new PlaceholderSafeSplitter();
    return undefined;
  }
}

/** Restores a pseudonymised job's values in what a reader relays (deltas, outputs). */
export async function restorerFor(
  vault: PseudonymVault,
  record: Pick<JobRecord, 'id' | 'policy'>,
): Promise<<T>(value: T) => T> {
  const mapping: PseudonymMapping | null = isPseudonymised(record)
    ? await vault.load(record.id)
    : null;
  return mapping ? (value) => restorePseudonymsIn(value, mapping) : (value) => value;
}
