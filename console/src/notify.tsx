import type { FlashbarProps } from "@cloudscape-design/components/flashbar";
import { createContext, useCallback, useContext, useState } from "react";

/** Every action says what it did, or the API's error in words: a flash message at the top of the page. */
export type Notify = (type: "success" | "error" | "info", content: string) => void;

export const NotifyContext = createContext<Notify>(() => undefined);
export const useNotify = (): Notify => useContext(NotifyContext);

export function useFlashes(): { items: FlashbarProps.MessageDefinition[]; notify: Notify } {
  const [items, setItems] = useState<FlashbarProps.MessageDefinition[]>([]);
  const notify = useCallback<Notify>((type, content) => {
    const id = `${Date.now()}-${Math.random()}`;
    const dismiss = () => setItems((xs) => xs.filter((x) => x.id !== id));
    setItems((xs) => [{ id, type, content, dismissible: true, dismissLabel: "Dismiss", onDismiss: dismiss }, ...xs].slice(0, 4));
  }, []);
  return { items, notify };
}
