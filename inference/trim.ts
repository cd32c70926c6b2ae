/**
 * Fits a backend's answer to what the chain accepts: at most `max_tokens` tokens (counted as
 * whitespace-separated words, a conservative stand-in for the model's tokenizer, which the node may
 * not know) and at most `max_response_bytes` UTF-8 bytes, never cutting a character in half.
 */

export interface TrimLimits {
  /** The request's `max_tokens`. */
  maxTokens: number;
  /** The chain's `maxResponseBytes` parameter. */
  maxBytes: number;
}

/**
 * Trims a response to the limits; surrounding whitespace goes too.
 *
 * @example
 * trimResponse("one two three", { maxTokens: 2, maxBytes: 100 }); // "one two"
 */
export function trimResponse(text: string, limits: TrimLimits): string {
  let out = text.trim();
  const words = out.split(/(\s+)/);
  // split with a capture keeps separators at odd indexes: word i sits at index 2i.
  if (Math.ceil(words.length / 2) > limits.maxTokens) {
    out = words.slice(0, Math.max(0, limits.maxTokens * 2 - 1)).join("");
  }
  const bytes = new TextEncoder().encode(out);
  if (bytes.length <= limits.maxBytes) return out;
  let end = limits.maxBytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so that no character is split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end)).trimEnd();
}
