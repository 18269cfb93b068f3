import { useEffect, useState } from "react";

/** The screen is named by the URL's hash (`#/clusters/default/services/web`), so it can be shared or bookmarked. */
export function useRoute(): string[] {
  const read = () =>
    window.location.hash
      .replace(/^#\/?/, "")
      .split("/")
      .filter((p) => p !== "")
      .map((p) => decodeURIComponent(p));
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const on = () => setParts(read());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return parts;
}

/** The hash of a screen from its path parts (each part encoded). */
export const href = (...parts: (string | number)[]): string => `#/${parts.map((p) => encodeURIComponent(String(p))).join("/")}`;

export const go = (...parts: (string | number)[]): void => {
  window.location.hash = href(...parts);
};
