/**
 * @module A server-sent event reader for tests, as the console reads `GET /registry-svc/events`: fetch
 * with the token in `Authorization`, the body read as it comes and split into frames (WHATWG HTML
 * §9.2: `event:` and `data:` lines, `:` comments, a blank line ends a frame).
 */
import { waitFor } from "../helpers/wait";

/** One frame: its event name (`comment` for a `:` line) and its data, parsed as JSON when it is. */
export interface Frame {
  event: string;
  data: any;
}

/** An open stream: the frames so far, waits for the next ones, and the end. */
export interface StreamReader {
  status: number;
  headers: Headers;
  frames: Frame[];
  /** Resolves when the body ended (the server closed it) or failed. */
  done: Promise<"ended" | "failed">;
  /** Waits until `count` more frames (comments left out) arrived after those already taken; answers them. */
  next(count?: number, timeoutMs?: number): Promise<Frame[]>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Opens `url` with `token`; a non-200 answer is read whole into `frames[0].data`. */
export async function openEventStream(url: string, token: string): Promise<StreamReader> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" }, signal: abort.signal });
  const frames: Frame[] = [];
  let read = 0;
  let done: Promise<"ended" | "failed">;
  if (response.status !== 200) {
    frames.push({ event: "error", data: await response.json() });
    done = Promise.resolve("ended");
  } else {
    done = (async () => {
      const decoder = new TextDecoder();
      let buffered = "";
      try {
        for await (const chunk of response.body!) {
          buffered += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffered.indexOf("\n\n")) >= 0) {
            frames.push(parseFrame(buffered.slice(0, end)));
            buffered = buffered.slice(end + 2);
          }
        }
        return "ended";
      } catch {
        return "failed";
      }
    })();
  }
  const events = () => frames.filter((f) => f.event !== "comment");
  return {
    status: response.status,
    headers: response.headers,
    frames,
    done,
    async next(count = 1, timeoutMs = 5000) {
      await waitFor(`${count} more event frame(s) after ${read} (got ${JSON.stringify(events().slice(read))})`, () => events().length >= read + count, timeoutMs, 5);
      const got = events().slice(read, read + count);
      read += count;
      return got;
    },
    async [Symbol.asyncDispose]() {
      abort.abort();
      await done;
    },
  };
}

function parseFrame(text: string): Frame {
  if (text.startsWith(":")) return { event: "comment", data: text.slice(1).trim() };
  let event = "message";
  let data = "";
  for (const line of text.split("\n")) {
    if (line.startsWith("event: ")) event = line.slice(7);
    else if (line.startsWith("data: ")) data += line.slice(6);
  }
  try {
    return { event, data: JSON.parse(data) };
  } catch {
    return { event, data };
  }
}
