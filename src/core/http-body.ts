/**
 * Reading a request body with a size limit (the API edge and the registry front). Written against the
 * stream events it uses. Answers the body, or undefined when it is larger than `limit`: the rest is
 * read and dropped up to `drainLimit` bytes (so the caller can still answer, e.g. 413), and the stream
 * is destroyed past that.
 */
export interface BodyStream {
  on(event: "data", listener: (chunk: Buffer) => void): unknown;
  on(event: "end" | "close", listener: () => void): unknown;
  on(event: "error", listener: (err: Error) => void): unknown;
  destroy(): unknown;
}

export function readLimitedBody(req: BodyStream, limit: number, drainLimit = limit): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > drainLimit) {
        req.destroy();
        return resolve(undefined);
      }
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) chunks.push(c);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on("close", () => resolve(tooLarge || size > drainLimit ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
