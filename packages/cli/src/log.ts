/** Prefixes a log line with an ISO timestamp. */
export function timestamped(line: string): string {
  return `${new Date().toISOString()} ${line}`;
}

/** `": reason"` for a failure, nothing for a clean end. */
export function formatReason(reason: Error | undefined): string {
  return reason ? `: ${reason.message}` : '';
}
