/** Options every route group receives from {@link buildServer}. */
import type { ChainReader } from "../chain-reader.js";

export interface RouteOptions {
  reader: ChainReader;
}
