import { createContext, useContext } from "react";
import type { Api } from "./aws";

export const ApiContext = createContext<Api | undefined>(undefined);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error("not signed in");
  return api;
}
