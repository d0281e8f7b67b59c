/** @module Every table of every module, in one namespace for drizzle and drizzle-kit. */
export * from "../modules/user/tables";
export * from "../modules/registry/tables";
