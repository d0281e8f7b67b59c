/** @module User Svc tables. */
export {};
