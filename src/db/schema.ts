/** @module Every table of every module, in one namespace for drizzle and drizzle-kit. */
export * from "../modules/user/identity/tables";
export * from "../modules/user/access/tables";
export * from "../modules/user/orgs/tables";
export * from "../modules/registry/tables";
