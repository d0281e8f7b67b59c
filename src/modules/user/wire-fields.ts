/** @module How rows become wire fields (contracts/user/models): empty optionals are omitted, like Go's `omitempty`. */
import { isoTime } from "../../lib/clock";

/** The value, or undefined when null or empty text. */
export const some = <T>(value: T | null | undefined | "") => (value === null || value === "" ? undefined : value);
/** An ISO time, or undefined when the time is unset. */
export const someTime = (ms: number | null | undefined) => (ms == null ? undefined : isoTime(ms));
/** The list, or undefined when empty. */
export const someList = (list: string[]) => (list.length > 0 ? list : undefined);
