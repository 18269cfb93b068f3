/**
 * Cleanup that runs even when a test fails: register what will undo a thing BEFORE making it,
 * and the stack undoes everything in reverse order at the end (errors are swallowed so one
 * failed removal does not keep the others from running).
 *
 *   const defer = cleanupStack((run) => t.after(run));   // per test
 *   const defer = cleanupStack(after);                    // per describe
 *   let dir: string | undefined;
 *   defer(() => dir && rmSync(dir, { recursive: true, force: true }));
 *   dir = mkdtempSync(...);
 */
export type Defer = (undo: () => unknown) => void;

export function cleanupStack(register: (run: () => Promise<void>) => void): Defer {
  const undos: (() => unknown)[] = [];
  register(async () => {
    for (const undo of undos.splice(0).reverse()) {
      try {
        await undo();
      } catch {
        // keep going: the rest still has to be removed
      }
    }
  });
  return (undo) => {
    undos.push(undo);
  };
}
