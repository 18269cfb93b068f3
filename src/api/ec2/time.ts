/** Stored documents hold epoch seconds; the SDK's output types want Dates (the XML writer accepts both). */
export const xmlTimestampDate = (epochSeconds: number): Date => new Date(epochSeconds * 1000);
