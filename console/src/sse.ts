/**
 * @module The server-sent events wire format, parsed (WHATWG HTML §9.2 rules, the parts our server
 * sends): a pure function of the text, so it is tested without a browser. No DOM or Preact here.
 */

/** One parsed frame: its `event:` name (default "message") and its joined `data:` lines. */
export interface Frame {
  event: string;
  data: string;
}

/** Splits an SSE byte stream into frames (WHATWG rules: `\n`, `\r\n` or `\r` line ends; `:` comments ignored). */
export class FrameParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];

  /** Feeds decoded text; answers the frames it completed. */
  push(text: string): Frame[] {
    this.buffer += text;
    const frames: Frame[] = [];
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") {
        if (this.data.length > 0) frames.push({ event: this.event || "message", data: this.data.join("\n") });
        this.event = "";
        this.data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") this.event = value;
      else if (field === "data") this.data.push(value);
    }
    return frames;
  }
}
