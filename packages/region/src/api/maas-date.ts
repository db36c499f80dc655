/** MAAS's API date form: `2018-12-04T18:11:31.894` (UTC, milliseconds, no zone), from the records' ISO 8601 dates. */
export function maasDate(iso: string): string {
  return new Date(iso).toISOString().slice(0, 23);
}
